// Package version says which build of docs or docsd is running, from the
// module version and VCS revision Go records in the binary.
package version

import "runtime/debug"

// Version, when set at build time with
// -ldflags "-X github.com/docsd/docs/pkg/version.Version=v1.2.3", wins over
// the build info.
var Version = ""

// String returns Version, else the module version the binary was built
// at, else "dev-" and the VCS revision (with "-dirty" for uncommitted
// changes), else "dev".
func String() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "dev-" + rev
}
