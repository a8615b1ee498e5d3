// RFC 3261 §18.2.1 and RFC 3581 §4: a server notes in the top Via where a request
// really came from, so responses find their way back through NATs.
//
//   received=<source address>  when it differs from the sent-by host
//   rport=<source port>        when the client asked for it with an empty rport
import type { SipRequest } from '../message/message.js';
import { splitList } from '../message/scanner.js';
import { formatVia } from '../message/via.js';
import type { Peer } from '../transaction/transaction-layer.js';

export function stampVia(req: SipRequest, source: Peer): void {
  const via = req.topVia();
  const wantsPort = via.params.has('rport') && via.params.get('rport') === '';
  const hostDiffers = via.host !== source.address && via.host !== `[${source.address}]`;
  // RFC 3581 §4: with rport, received is added even when the host matches.
  if (!wantsPort && !hostDiffers) return;
  via.params.set('received', source.address);
  if (wantsPort) via.params.set('rport', String(source.port));
  // Rewrite only the first Via value of the first Via field; others stay byte for byte.
  const field = req.headers.find((h) => h.key === 'via')!;
  const comma = field.value.indexOf(',');
  if (comma < 0 && !field.value.includes('"')) {
    field.value = formatVia(via);
    return;
  }
  const values = splitList(field.value);
  values[0] = formatVia(via);
  field.value = values.join(', ');
}
