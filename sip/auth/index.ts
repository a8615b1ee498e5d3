// Digest authentication: the server side (challenges, verification, lockout, security
// log) and the client side (answering a carrier's challenge).
export { DigestServer, type DigestServerOptions, type Ha1Lookup, type Ha1Record, type VerifyOptions, type VerifyResult, type VerifyOutcome, type ChallengeOptions } from './digest-server.js';
export { answerChallenge, DigestClientState, type DigestAnswer, type DigestClientCredentials, type DigestClientStateOptions } from './digest-client.js';
export { Lockout, DEFAULT_LOCKOUT, type LockoutOptions, type LockoutThreshold, type LockoutEvent } from './lockout.js';
export { FAIL2BAN_FAILREGEX, type AuthFailureReason, type SecurityLogger } from './security-log.js';
export { ha1Of, MD5, SHA256, type DigestAlgorithmName } from './digest-algorithm.js';
