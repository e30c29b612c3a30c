package buildinfo

import (
	"runtime/debug"
	"testing"
)

// TestVersion proves the order: the stamped version, else the module's from
// the build info, else dev.
func TestVersion(t *testing.T) {
	if got := Version("1.2.3"); got != "1.2.3" {
		t.Errorf("Version(stamped) = %q", got)
	}
	for _, tc := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, Dev},
		{&debug.BuildInfo{}, Dev},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, Dev},
		{&debug.BuildInfo{Main: debug.Module{Version: "v0.1.0"}}, "v0.1.0"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v0.1.1-0.20250102030405-abcdefabcdef+dirty"}}, "v0.1.1-0.20250102030405-abcdefabcdef+dirty"},
	} {
		if got := fromBuildInfo(tc.info); got != tc.want {
			t.Errorf("fromBuildInfo(%+v) = %q, want %q", tc.info, got, tc.want)
		}
	}
}
