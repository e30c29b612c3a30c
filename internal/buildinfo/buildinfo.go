// Package buildinfo tells the version a binary reports, the same way for the
// provider and keymate-server.
package buildinfo

import "runtime/debug"

// Dev is the version of a binary built inside a work tree whose build info
// names no version.
const Dev = "dev"

// Version returns the version a binary reports: stamped, the version its
// build set with -ldflags "-X main.version=..." (make and goreleaser stamp
// the VERSION file's), when not empty; else the main module's version from
// the build info (what `go install module/cmd@v0.1.0` records, or the
// pseudo-version the Go command derives from the work tree's VCS state);
// else Dev.
func Version(stamped string) string {
	if stamped != "" {
		return stamped
	}
	info, _ := debug.ReadBuildInfo()
	return fromBuildInfo(info)
}

// fromBuildInfo is the main module's version in info, Dev when info is nil
// or names none ("" or "(devel)").
func fromBuildInfo(info *debug.BuildInfo) string {
	if info == nil || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return Dev
	}
	return info.Main.Version
}

// Line is what --version prints: the program's name and its version.
func Line(program, version string) string {
	return program + " " + version
}
