// msgpackr's native string extractor (the optional msgpackr-extract addon) decodes a message's
// strings as slices of one string, so every string the catalog keeps from a command (a KV key,
// its value, a session) held the whole command's text: about 80 bytes more per KV write, until
// the key is deleted, and a third more for each young-generation collection to copy. For the
// agent's messages msgpackr's JS decoder is as fast (0.65 µs for a KV command either way) and
// gives each string its own storage. msgpackr reads this variable once, when it is first
// loaded, so this module is imported first by the agent's entries (index.ts, run.ts).
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
