// compose-validate: loads compose files with compose-go, the library that
// Docker Compose v2 uses for `docker compose config` (schema validation,
// interpolation, profiles, depends_on checks), and decodes Kubernetes
// manifests strictly into the upstream API types. Used by
// tests/e2e/compose.sh; needs no Docker engine.
//
//	compose-validate compose [-env FILE] [-profile P]... [-json] FILE...
//	    load the project (all FILEs merged) and print it as JSON with -json
//	compose-validate k8s DIR|FILE...
//	    decode every document of every *.yaml/*.yml manifest strictly into
//	    the Kubernetes API type of its apiVersion and kind (k8s.go); print
//	    each object as a JSON line
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

type multi []string

func (m *multi) String() string     { return fmt.Sprint(*m) }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func die(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "compose-validate: "+format+"\n", a...)
	os.Exit(1)
}

func composeCmd(args []string) {
	fs := flag.NewFlagSet("compose", flag.ExitOnError)
	var envFiles, profiles multi
	fs.Var(&envFiles, "env", "env file (repeatable)")
	fs.Var(&profiles, "profile", "profile to enable (repeatable; * = all)")
	asJSON := fs.Bool("json", false, "print the resolved project as JSON")
	_ = fs.Parse(args)
	files := fs.Args()
	if len(files) == 0 {
		die("no compose file")
	}
	dir, _ := filepath.Abs(filepath.Dir(files[0]))
	opts, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(dir),
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithProfiles(profiles),
		cli.WithName("medload"),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		die("%v", err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		die("%v", err)
	}
	if *asJSON {
		b, err := project.MarshalJSON()
		if err != nil {
			die("%v", err)
		}
		os.Stdout.Write(b)
		fmt.Println()
	}
}

func main() {
	if len(os.Args) < 2 {
		die("usage: compose-validate compose|k8s ...")
	}
	switch os.Args[1] {
	case "compose":
		composeCmd(os.Args[2:])
	case "k8s":
		k8sCmd(os.Args[2:])
	default:
		die("unknown command %q", os.Args[1])
	}
}
