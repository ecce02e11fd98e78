// Sprig's own test templates and expected output (Masterminds/sprig url_test.go),
// rendered with Sprig's bare names as its tests call them.
export const SPRIG_URL_CASES: [string, string][] = [
  ["{{ urlJoin (dict \"fragment\" \"fragment\" \"host\" \"host:80\" \"path\" \"/path\" \"query\" \"query\" \"scheme\" \"proto\") }}", "proto://host:80/path?query#fragment"],
  ["{{ urlJoin (dict \"fragment\" \"fragment\" \"host\" \"host:80\" \"path\" \"/path\" \"scheme\" \"proto\" \"userinfo\" \"ASDJKJSD\") }}", "proto://ASDJKJSD@host:80/path#fragment"],
  ["{{ index ( urlParse \"proto://auth@host:80/path?query#fragment\" ) \"host\" }}", "host:80"],
];
