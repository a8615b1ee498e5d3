// The logger the B2BUA's call objects write to (a pino child in the server).
export interface BridgeLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}
