// The dry run: a stored flow walked by the real interpreter with a scripted caller,
// reported step by step so an author sees what a caller would hear, which keys were
// used where, and why the call ended the way it did.
import type { DialOutcome } from './call-control.js';
import type { CompiledFlow } from './flow-graph.js';
import type { FinalAction } from './final-action.js';
import type { FlowEnvironment } from './handlers/index.js';
import { runFlow } from './interpreter.js';
import { ScriptedCallControl, type CallEvent } from './scripted-call-control.js';

export interface SimulationOptions {
  digits: string;
  noInputAfter: number;
  dialResult: DialOutcome;
  maxSteps?: number;
}

export interface TraceLine {
  step: number;
  node_id: string;
  event: 'enter' | 'say' | 'play' | 'keys' | 'no_input' | 'record' | 'transfer' | 'dial' | 'hangup' | 'note';
  message: string;
}

export interface SimulationReport {
  nodes_visited: string[];
  prompts: { node_id: string; text: string; language: string }[];
  keys_consumed: string;
  keys_unused: string;
  final_action: FinalAction;
  trace: TraceLine[];
}

export async function simulateFlow(flow: CompiledFlow, opts: SimulationOptions, env: FlowEnvironment): Promise<SimulationReport> {
  const prompts: SimulationReport['prompts'] = [];
  const trace: TraceLine[] = [];
  let step = 0;
  let nodeId = flow.entry.id;
  const line = (event: TraceLine['event'], message: string): void => {
    trace.push({ step, node_id: nodeId, event, message });
  };

  const onEvent = (e: CallEvent): void => {
    switch (e.kind) {
      case 'say':
        prompts.push({ node_id: nodeId, text: e.text, language: e.language });
        return line('say', `says (${e.language}): "${e.text}"`);
      case 'play':
        return line('play', `plays a ${e.sound}`);
      case 'collect':
        if (e.digits === '') return line('no_input', `caller presses nothing (waits ${e.timeoutSeconds} s)`);
        return line('keys', `caller presses ${e.digits}${e.endedBy === 'terminator' ? ' then #' : ''}`);
      case 'record':
        return line('record', `records a message of up to ${e.maxSeconds} s (dry run: nothing is recorded)`);
      case 'transfer':
        return line('transfer', `transfers to ${e.to}: ${e.outcome} (dry run: nothing is dialled)`);
      case 'dial':
        return line('dial', `rings ring group ${e.target.ringGroupId}: ${e.outcome} (dry run: nothing is dialled)`);
      case 'hangup':
        return line('hangup', `hangs up (${e.reason})`);
    }
  };

  const call = new ScriptedCallControl({ keys: opts.digits, noInputAfter: opts.noInputAfter, dialResult: opts.dialResult }, onEvent);
  // A dry run has no caller to hang up; the signal is there because the interpreter needs one.
  const { final, visited } = await runFlow(flow, call, {
    signal: new AbortController().signal,
    env,
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    observer: {
      enter: (node, n) => {
        step = n;
        nodeId = node.id;
        line('enter', `enters ${node.type} node "${node.id}"`);
      },
      note: (node, message) => {
        nodeId = node.id;
        line('note', message);
      },
    },
  });
  return {
    nodes_visited: visited,
    prompts,
    keys_consumed: call.consumed,
    keys_unused: call.remaining,
    final_action: final,
    trace,
  };
}
