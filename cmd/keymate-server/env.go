package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
)

// Every flag is also a setting from the environment: --smtp-addr is
// KEYMATE_SMTP_ADDR. A flag on the command line wins over its variable; a
// variable set to the empty string counts as unset. The mechanism works over
// the whole flag set, so a flag added later gets its variable without more
// code. Secrets are never flags (a flag's value shows in ps): they come from
// the environment variables below, or from a file a flag names.
const envPrefix = "KEYMATE_"

// Environment variables that hold secrets; no flag has their names.
const (
	bootstrapKeyEnv = "KEYMATE_BOOTSTRAP_API_KEY"
	backupKeyEnv    = "KEYMATE_BACKUP_ENCRYPTION_KEY"
	smtpPasswordEnv = "KEYMATE_SMTP_PASSWORD"
)

// secretEnvs are the environment variables that hold secrets.
var secretEnvs = []string{bootstrapKeyEnv, backupKeyEnv, smtpPasswordEnv}

// versionFlag asks for the version; it is a command, not a setting, so it
// has no environment variable.
const versionFlag = "version"

// envName is the environment variable of the flag named name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// hasEnv reports whether the flag named name may be set from the
// environment.
func hasEnv(name string) bool { return name != versionFlag }

// describeEnv adds each flag's environment variable to its usage text, so
// that --help lists them.
func describeEnv(flags *flag.FlagSet) {
	flags.VisitAll(func(f *flag.Flag) {
		if hasEnv(f.Name) {
			f.Usage += " (env " + envName(f.Name) + ")"
		}
	})
}

// applyEnv sets every flag that the command line did not set from its
// environment variable, when that is set and not empty. A value the flag
// refuses is an error naming the variable.
func applyEnv(flags *flag.FlagSet, lookupEnv func(string) (string, bool)) error {
	given := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	flags.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || !hasEnv(f.Name) {
			return
		}
		name := envName(f.Name)
		value, ok := lookupEnv(name)
		if !ok || value == "" {
			return
		}
		if err := f.Value.Set(value); err != nil {
			errs = append(errs, fmt.Errorf("%s (the environment's --%s): invalid value %q: %w", name, f.Name, value, err))
		}
	})
	return errors.Join(errs...)
}

// choiceValue is a flag whose value is one of a fixed list.
type choiceValue struct {
	value   *string
	choices []string
}

// choiceFlag defines a flag named name whose value must be one of choices,
// def by default.
func choiceFlag(flags *flag.FlagSet, name, def, usage string, choices ...string) *string {
	v := &choiceValue{value: new(string), choices: choices}
	*v.value = def
	flags.Var(v, name, usage+" ("+strings.Join(choices, "|")+")")
	return v.value
}

func (c *choiceValue) String() string {
	if c == nil || c.value == nil { // flag.PrintDefaults probes a zero value
		return ""
	}
	return *c.value
}

func (c *choiceValue) Set(s string) error {
	if !slices.Contains(c.choices, s) {
		return fmt.Errorf("must be one of %s", strings.Join(c.choices, ", "))
	}
	*c.value = s
	return nil
}
