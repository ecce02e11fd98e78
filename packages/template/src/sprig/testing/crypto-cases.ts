// Sprig's own test templates and expected output (Masterminds/sprig crypto_test.go),
// rendered with Sprig's bare names as its tests call them.
export const SPRIG_CRYPTO_CASES: [string, string][] = [
  ["{{derivePassword 1 \"long\" \"password\" \"user\" \"example.com\"}}", "ZedaFaxcZaso9*"],
  ["{{derivePassword 2 \"long\" \"password\" \"user\" \"example.com\"}}", "Fovi2@JifpTupx"],
  ["{{derivePassword 1 \"maximum\" \"password\" \"user\" \"example.com\"}}", "pf4zS1LjCg&LjhsZ7T2~"],
  ["{{derivePassword 1 \"medium\" \"password\" \"user\" \"example.com\"}}", "ZedJuz8$"],
  ["{{derivePassword 1 \"basic\" \"password\" \"user\" \"example.com\"}}", "pIS54PLs"],
  ["{{derivePassword 1 \"short\" \"password\" \"user\" \"example.com\"}}", "Zed5"],
  ["{{derivePassword 1 \"pin\" \"password\" \"user\" \"example.com\"}}", "6685"],
  ["{{\"abc\" | sha512sum}}", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"],
  ["{{\"abc\" | sha256sum}}", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ["{{\"abc\" | sha1sum}}", "a9993e364706816aba3e25717850c26c9cd0d89d"],
  ["{{\"abc\" | adler32sum}}", "38600999"],
  ["{{\"plaintext\" | encryptAES \"secretkey\" | decryptAES \"secretkey\"}}", "plaintext"],
];
