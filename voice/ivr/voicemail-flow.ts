// A number routed straight to a voicemail box runs this flow: a start and one voicemail node
// for the box, so it greets, beeps, records and stores exactly as a voicemail node would.
import { compileStoredFlow, type CompiledFlow } from '../../ivr-runtime/index.js';

export function voicemailFlow(voicemailId: string): CompiledFlow {
  return compileStoredFlow({
    nodes: [
      { id: 'start', type: 'ivrStart', data: {} },
      { id: 'voicemail', type: 'voicemail', data: { voicemailBoxId: voicemailId } },
    ],
    edges: [{ id: 'e0', source: 'start', target: 'voicemail' }],
  });
}
