package docsdcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStrictConfiguration: a configuration that would silently mean
// something else than the operator wrote stops docsd before it starts,
// naming what is wrong and where.
func TestStrictConfiguration(t *testing.T) {
	dir := t.TempDir()
	write := func(name, yaml string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	misspelt := write("misspelt.yaml", "auth:\n  public_route: [health, login]\n  throttle:\n    max_failure: 3\nsesion:\n  secure_cookie: true\nmax_failure: 2\n")
	emptySection := write("empty.yaml", "auth:\nlog:\n  level: warn\n")
	noLogin := write("nologin.yaml", "auth:\n  public_routes: [health, document_list]\n")
	db := filepath.Join(dir, "d.db")

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string
	}{
		{"every unknown key in the file is named with the file and the nearest known key",
			nil, []string{"--config", misspelt, "routes"}, 2, []string{
				"config file " + misspelt,
				"auth.public_route: did you mean auth.public_routes?",
				"auth.throttle.max_failure: did you mean auth.throttle.max_failures?",
				"sesion.secure_cookie: did you mean session.secure_cookie?",
				"max_failure: did you mean auth.throttle.max_failures?",
			}},
		{"a section left empty is no unknown key", nil, []string{"--config", emptySection, "routes"}, 0, []string{"login"}},
		{"a skip list without login in the file is refused", nil, []string{"--config", noLogin, "routes"}, 2,
			[]string{"auth.public_routes (DOCSD_AUTH_PUBLIC_ROUTES) is [health, document_list], without login: nobody could ever log in"}},
		{"a skip list without login in the environment is refused", map[string]string{"DOCSD_AUTH_PUBLIC_ROUTES": "health"}, []string{"serve"}, 2,
			[]string{"without login"}},
		{"a log level names its variable and the valid levels", map[string]string{"DOCSD_LOG_LEVEL": "verbose"}, []string{"serve"}, 1,
			[]string{`log.level (DOCSD_LOG_LEVEL): "verbose" is not a level; use debug, info, warn or error`}},
		{"a log format names its variable and the valid formats", map[string]string{"DOCSD_LOG_FORMAT": "xml"}, []string{"serve"}, 1,
			[]string{`log.format (DOCSD_LOG_FORMAT): "xml" is not a format; use text or json`}},
		{"a DOCSD_ variable that matches no setting is named with the nearest known variable",
			map[string]string{"DOCSD_AUTH_PUBLIC_ROUTE": "health,login", "DOCSD_SESION_SECURE_COOKIE": "true", "DOCSD_MAX_FAILURE": "3"},
			[]string{"routes"}, 2, []string{
				"the environment has DOCSD_ variables docsd does not know",
				"DOCSD_AUTH_PUBLIC_ROUTE: did you mean DOCSD_AUTH_PUBLIC_ROUTES?",
				"DOCSD_SESION_SECURE_COOKIE: did you mean DOCSD_SESSION_SECURE_COOKIE?",
				"DOCSD_MAX_FAILURE: did you mean DOCSD_AUTH_THROTTLE_MAX_FAILURES?",
			}},
		{"the test suites' DOCSD_TEST_ variables are no setting and no mistake",
			map[string]string{"DOCSD_TEST_POSTGRES": "postgres://x"}, []string{"routes"}, 0, []string{"login"}},
		{"an empty skip list in the environment is an empty list, refused for want of login",
			map[string]string{"DOCSD_AUTH_PUBLIC_ROUTES": ""}, []string{"routes"}, 2,
			[]string{"auth.public_routes (DOCSD_AUTH_PUBLIC_ROUTES) is [], without login"}},
		{"an empty database is refused, not the default file", map[string]string{"DOCSD_DATABASE": ""}, []string{"routes"}, 1,
			[]string{"database (DOCSD_DATABASE) is empty"}},
		{"an empty address is refused, not the default address", map[string]string{"DOCSD_ADDR": " "}, []string{"routes"}, 1,
			[]string{"addr (DOCSD_ADDR) is empty"}},
		{"an empty duration names its variable", map[string]string{"DOCSD_SESSION_IDLE_TIMEOUT": ""}, []string{"routes"}, 1,
			[]string{`session.idle_timeout (DOCSD_SESSION_IDLE_TIMEOUT): "" is not a duration`}},
		{"an idle timeout too short to judge is refused, naming its variable and the shortest",
			map[string]string{"DOCSD_SESSION_IDLE_TIMEOUT": "9s"}, []string{"serve"}, 1,
			[]string{`session.idle_timeout (DOCSD_SESSION_IDLE_TIMEOUT): 9s is shorter than 10s, the shortest idle timeout docsd can judge`}},
		{"the shortest idle timeout docsd judges is accepted", map[string]string{"DOCSD_SESSION_IDLE_TIMEOUT": "10s"}, []string{"routes"}, 0, []string{"login"}},
		{"an empty number names its variable", map[string]string{"DOCSD_AUTH_BCRYPT_COST": ""}, []string{"routes"}, 1,
			[]string{`auth.bcrypt_cost (DOCSD_AUTH_BCRYPT_COST): "" must be a positive whole number`}},
		{"an empty switch names its variable", map[string]string{"DOCSD_AUTH_ALLOW_REGISTRATION": ""}, []string{"routes"}, 1,
			[]string{`auth.allow_registration (DOCSD_AUTH_ALLOW_REGISTRATION): "" must be true or false`}},
		{"an empty log level names its variable", map[string]string{"DOCSD_LOG_LEVEL": ""}, []string{"routes"}, 1,
			[]string{`log.level (DOCSD_LOG_LEVEL): "" is not a level`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DOCSD_DATABASE": db}
			for k, v := range tc.env {
				env[k] = v
			}
			out, errOut, code := docsd(t, env, "", tc.args...)
			if code != tc.code {
				t.Errorf("docsd %v = exit %d, stderr %q; want %d", tc.args, code, errOut, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("docsd %v printed %q%q; want %q", tc.args, out, errOut, w)
				}
			}
		})
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a refused configuration created the database %s; want nothing written", db)
	}
}
