// Sprig's own test templates and expected output (Masterminds/sprig semver_test.go),
// rendered with Sprig's bare names as its tests call them.
export const SPRIG_SEMVER_CASES: [string, string][] = [
  ["{{ semverCompare \"1.2.3\" \"1.2.3\" }}", "true"],
  ["{{ semverCompare \"^1.2.0\" \"1.2.3\" }}", "true"],
  ["{{ semverCompare \"^1.2.0\" \"2.2.3\" }}", "false"],
  ["{{ $s := semver \"1.2.3-beta.1+c0ff33\" }}{{ $s.Prerelease }}", "beta.1"],
  ["{{ $s := semver \"1.2.3-beta.1+c0ff33\" }}{{ $s.Major}}", "1"],
  ["{{ semver \"1.2.3\" | (semver \"1.2.3\").Compare }}", "0"],
  ["{{ semver \"1.2.3\" | (semver \"1.3.3\").Compare }}", "1"],
  ["{{ semver \"1.4.3\" | (semver \"1.2.3\").Compare }}", "-1"],
];
