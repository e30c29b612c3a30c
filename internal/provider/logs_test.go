package provider

import (
	"slices"
	"testing"
)

// TestSilenceUnseenLogs proves that the SDK's and the provider's logging is
// turned off exactly when Terraform would drop it (neither TF_LOG nor
// TF_LOG_PROVIDER set), and that a level the user set is never overridden.
func TestSilenceUnseenLogs(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want map[string]string // the variables after the call
	}{
		{"nothing set: every SDK level off", map[string]string{},
			map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER_KEYMATE": "OFF"}},
		{"TF_LOG set: Terraform shows the logs, nothing changes", map[string]string{"TF_LOG": "trace"},
			map[string]string{"TF_LOG": "trace"}},
		{"TF_LOG_PROVIDER set: nothing changes", map[string]string{"TF_LOG_PROVIDER": "debug"},
			map[string]string{"TF_LOG_PROVIDER": "debug"}},
		{"a level the user chose is kept", map[string]string{"TF_LOG_SDK_FRAMEWORK": "DEBUG"},
			map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "DEBUG", "TF_LOG_PROVIDER_KEYMATE": "OFF"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			set, err := SilenceUnseenLogs(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(env) != len(tc.want) {
				t.Errorf("environment %v, want %v", env, tc.want)
			}
			for k, v := range tc.want {
				if env[k] != v {
					t.Errorf("%s = %q, want %q", k, env[k], v)
				}
			}
			for _, k := range set {
				if _, given := tc.env[k]; given || !slices.Contains(sdkLogLevelVars, k) {
					t.Errorf("reported setting %s, which it must not touch", k)
				}
			}
		})
	}
}
