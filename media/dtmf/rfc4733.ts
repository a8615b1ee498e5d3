// RFC 4733 DTMF over RTP: the telephone-event payload, the receiver and the sender, from one place.
export {
  MAX_EVENT_DURATION,
  TELEPHONE_EVENT_SIZE,
  buildTelephoneEvent,
  durationOf,
  endOf,
  eventOf,
  isTelephoneEvent,
  parseTelephoneEvent,
  volumeOf,
  writeTelephoneEvent,
  type TelephoneEvent,
} from './telephone-event.js';
export { Rfc4733Receiver, type ReceivedDigit, type Rfc4733ReceiverOptions } from './rfc4733-receiver.js';
export { Rfc4733Sender, type Rfc4733SenderOptions, type TelephoneEventPacket } from './rfc4733-sender.js';
export { DTMF_DIGITS, dtmfDigit, dtmfEventCode } from './digits.js';
