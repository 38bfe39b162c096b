// Command capturego captures what eKuiper's Go SDK puts on the wire, as the
// go-sdk test vectors. It builds probe/ (a test-only plugin written with the
// unmodified SDK) against each SDK version this repository pins, plays the
// host side with mangos, and writes protocol/vectors/go-sdk/<kind>.json
// (format: protocol/vectors/README.md) with "provenance": "captured".
//
// Run with ./capture.sh [output folder] (it sets up the Go module proxy).
// It refuses to run while a socket file it would use exists in /tmp, and
// kills the plugins it started and removes its socket files when it ends.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
)

const (
	pluginName     = "vecgoprobe"
	rule           = "vecgorule"
	portableConfig = `{"sendTimeout":1000}`
)

var kindOrder = []string{"handshake", "answer", "source-envelope", "func-reply"}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func readFile(p string) string {
	b, err := os.ReadFile(p)
	must(err)
	return string(b)
}

// sdkBuild is one SDK version: the module file that pins it and its commit.
type sdkBuild struct{ modfile, commit string }

func sdkCommit(modfile string) string {
	for _, line := range strings.Split(readFile(filepath.Join("probe", modfile)), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[len(f)-2] == "github.com/lf-edge/ekuiper/sdk/go" {
			v := f[len(f)-1]
			return v[strings.LastIndex(v, "-")+1:]
		}
	}
	panic("no SDK version in probe/" + modfile)
}

func build(dir string, b sdkBuild) string {
	out := filepath.Join(dir, "probe-"+b.commit)
	cmd := exec.Command("go", "build", "-trimpath", "-modfile="+b.modfile, "-o", out, ".")
	cmd.Dir = "probe"
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	must(cmd.Run())
	return out
}

func ownSockets() []string {
	var found []string
	for _, pat := range []string{"/tmp/plugin_" + pluginName + ".ipc", "/tmp/func_vececho.ipc", "/tmp/func_vecagg.ipc", "/tmp/" + rule + "_*.ipc"} {
		m, _ := filepath.Glob(pat)
		found = append(found, m...)
	}
	return found
}

func removeSockets() {
	for _, s := range ownSockets() {
		_ = os.Remove(s)
	}
}

func goMinor() string {
	v := goruntime.Version()
	if parts := strings.SplitN(v, ".", 3); len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}

func main() {
	out := filepath.Join("..", "..", "vectors", "go-sdk")
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if busy := ownSockets(); len(busy) > 0 {
		fmt.Fprintln(os.Stderr, "refusing to run: socket files exist (another run or test?):", strings.Join(busy, " "))
		os.Exit(2)
	}
	tmp, err := os.MkdirTemp("", "capture-go-")
	must(err)
	if keep := os.Getenv("CAPTURE_KEEP_LOGS"); keep != "" {
		fmt.Println("plugin logs kept in", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	defer removeSockets()

	builds := []sdkBuild{{modfile: "go.mod"}, {modfile: "go.2023.mod"}}
	var sessions []*session
	for i := range builds {
		builds[i].commit = sdkCommit(builds[i].modfile)
		bin := build(tmp, builds[i])
		fmt.Printf("session: SDK %s (probe/%s)\n", builds[i].commit, builds[i].modfile)
		sessions = append(sessions, runSession(bin, filepath.Join(tmp, builds[i].commit+".log")))
		removeSockets()
	}

	how := fmt.Sprintf("Captured off the wire: cd protocol/tools/capture-go && ./capture.sh "+
		"(Go toolchain, module proxy set up by scripts/go-env.sh). The tool builds probe/, a test-only "+
		"plugin written with eKuiper's Go SDK (github.com/lf-edge/ekuiper/sdk/go, unmodified), once per "+
		"SDK version (%s via probe/go.mod, %s via probe/go.2023.mod), with %s, starts each as the host "+
		"does (`<executable> '%s'`), plays the host side with mangos v3.4.2 and records every payload "+
		"byte for byte. Each case's sdkVersions lists the SDK commits that sent exactly these bytes. "+
		"Error texts from encoding/json and the OS are as that Go version words them on Linux.",
		builds[0].commit, builds[1].commit, goMinor(), portableConfig)

	must(os.MkdirAll(out, 0o755))
	for _, kind := range kindOrder {
		writeFile(out, kind, how, merge(kind, builds, sessions))
	}
	for i, s := range sessions {
		for _, n := range s.notes {
			fmt.Printf("note (%s): %s\n", builds[i].commit, n)
		}
	}
}

// merge makes one case per name when every SDK version sent the same bytes;
// when they differ, the first (newest) version keeps the name and each other
// version's bytes get a case named <name>-sdk-<commit>.
func merge(kind string, builds []sdkBuild, sessions []*session) []vcase {
	var order []string
	byName := map[string][]*captured{}
	for i, s := range sessions {
		for j := range s.out {
			c := &s.out[j]
			if c.kind != kind {
				continue
			}
			if byName[c.name] == nil {
				order = append(order, c.name)
				byName[c.name] = make([]*captured, len(sessions))
			}
			byName[c.name][i] = c
		}
	}
	var cases []vcase
	for _, name := range order {
		done := make([]bool, len(sessions))
		for i, c := range byName[name] {
			if c == nil || done[i] {
				continue
			}
			versions := []string{builds[i].commit}
			for j := i + 1; j < len(sessions); j++ {
				if o := byName[name][j]; o != nil && string(o.payload) == string(c.payload) {
					versions = append(versions, builds[j].commit)
					done[j] = true
				}
			}
			cc := *c
			if i > 0 && byName[name][0] != nil {
				cc.name = fmt.Sprintf("%s-sdk-%s", name, builds[i].commit)
			}
			cases = append(cases, mkCase(kind, cc, versions))
		}
	}
	return cases
}
