package provider

import (
	"fmt"
	"strings"
)

// sdkLogLevelVars are the variables that set the log levels of the SDK under
// the provider (terraform-plugin-go and terraform-plugin-framework) and of
// the provider's own logger, which log at TRACE when they are unset.
var sdkLogLevelVars = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_KEYMATE"}

// SilenceUnseenLogs turns the provider's logging off when Terraform will not
// show it, and returns the variables it set.
//
// Terraform reads a provider's log lines from its standard error and shows
// them only when TF_LOG or TF_LOG_PROVIDER is set; otherwise it parses each
// line and drops it. The SDK logs at TRACE by default, about two hundred
// lines per resource in a plan, so that formatting lines nobody sees was a
// third of the provider's CPU and much of Terraform's. When neither
// variable is set, each of sdkLogLevelVars that is unset becomes OFF. A level
// the user set is kept, and with TF_LOG or TF_LOG_PROVIDER set nothing
// changes, so that logs are complete whenever they can be seen. A provider
// started with -debug writes its logs to its own terminal, so main calls
// this only without -debug.
func SilenceUnseenLogs(getenv func(string) string, setenv func(key, value string) error) ([]string, error) {
	if strings.TrimSpace(getenv("TF_LOG")) != "" || strings.TrimSpace(getenv("TF_LOG_PROVIDER")) != "" {
		return nil, nil
	}
	var set []string
	for _, name := range sdkLogLevelVars {
		if getenv(name) != "" {
			continue
		}
		if err := setenv(name, "OFF"); err != nil {
			return set, fmt.Errorf("setting %s: %w", name, err)
		}
		set = append(set, name)
	}
	return set, nil
}
