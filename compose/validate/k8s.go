// The `k8s` command: every document of every manifest decoded strictly into
// the upstream Kubernetes API type its apiVersion and kind name, as the API
// server's strict field validation does (kubectl apply --validate=strict):
// unknown and duplicate fields are errors, and field names match with their
// case.

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// k8sKinds: the types the manifests may hold, by "apiVersion kind". Another
// kind is refused rather than passed unchecked: add it here.
var k8sKinds = map[string]func() metav1.Object{
	"batch/v1 Job":             func() metav1.Object { return &batchv1.Job{} },
	"batch/v1 CronJob":         func() metav1.Object { return &batchv1.CronJob{} },
	"v1 PersistentVolumeClaim": func() metav1.Object { return &corev1.PersistentVolumeClaim{} },
	"v1 Secret":                func() metav1.Object { return &corev1.Secret{} },
	"v1 ConfigMap":             func() metav1.Object { return &corev1.ConfigMap{} },
	"v1 Service":               func() metav1.Object { return &corev1.Service{} },
	"v1 ServiceAccount":        func() metav1.Object { return &corev1.ServiceAccount{} },
	"v1 Pod":                   func() metav1.Object { return &corev1.Pod{} },
	"apps/v1 Deployment":       func() metav1.Object { return &appsv1.Deployment{} },
	"apps/v1 StatefulSet":      func() metav1.Object { return &appsv1.StatefulSet{} },
}

func k8sKnown() string {
	var names []string
	for k := range k8sKinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// yamlDoc is one document of a YAML stream and the line it starts on.
type yamlDoc struct {
	line int
	text []byte
}

// splitYAML cuts a stream at its "---" lines (a separator may be followed
// by a comment, nothing else), as kubectl does.
func splitYAML(b []byte) ([]yamlDoc, error) {
	var docs []yamlDoc
	cur := yamlDoc{line: 1}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "---") {
			rest := strings.TrimSpace(line[3:])
			if rest != "" && !strings.HasPrefix(rest, "#") {
				return nil, fmt.Errorf("line %d: a document separator followed by %q", n, rest)
			}
			docs = append(docs, cur)
			// blank lines ahead, so that YAML's errors give the file's lines
			cur = yamlDoc{line: n + 1, text: bytes.Repeat([]byte{'\n'}, n)}
			continue
		}
		cur.text = append(cur.text, line...)
		cur.text = append(cur.text, '\n')
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return append(docs, cur), nil
}

// decodeK8s decodes one document; nil and no error for an empty one.
func decodeK8s(text []byte) (metav1.Object, error) {
	j, err := yaml.YAMLToJSONStrict(text) // duplicate keys are errors
	if err != nil {
		return nil, err
	}
	if string(bytes.TrimSpace(j)) == "null" {
		return nil, nil
	}
	var tm metav1.TypeMeta
	if err := json.Unmarshal(j, &tm); err != nil {
		return nil, fmt.Errorf("not a Kubernetes object: %v", err)
	}
	if tm.APIVersion == "" || tm.Kind == "" {
		return nil, fmt.Errorf("no apiVersion or kind")
	}
	mk := k8sKinds[tm.APIVersion+" "+tm.Kind]
	if mk == nil {
		return nil, fmt.Errorf("unknown kind: apiVersion %q kind %q is none of the types this validator knows (%s)",
			tm.APIVersion, tm.Kind, k8sKnown())
	}
	obj := mk()
	strict, err := sjson.UnmarshalStrict(j, obj, sjson.DisallowDuplicateFields, sjson.DisallowUnknownFields)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", tm.Kind, err)
	}
	if len(strict) > 0 {
		var msgs []string
		for _, e := range strict {
			msgs = append(msgs, e.Error())
		}
		return nil, fmt.Errorf("%s: %s", tm.Kind, strings.Join(msgs, "; "))
	}
	if obj.GetName() == "" && obj.GetGenerateName() == "" {
		return nil, fmt.Errorf("%s: no metadata.name", tm.Kind)
	}
	return obj, nil
}

// k8sFiles: the *.yaml and *.yml files of each argument (a directory is
// walked), sorted within it.
func k8sFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		var in []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(p); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
				in = append(in, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(in) == 0 {
			return nil, fmt.Errorf("%s: no *.yaml or *.yml file", a)
		}
		sort.Strings(in)
		files = append(files, in...)
	}
	return files, nil
}

// k8sFile checks one file, printing each object as a JSON line
// {"file","doc","line","object"}; returns its errors (documents counted
// from 1, empty ones included).
func k8sFile(path string, out *json.Encoder) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	docs, err := splitYAML(b)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", path, err)}
	}
	var errs []string
	objects := 0
	for i, d := range docs {
		obj, err := decodeK8s(d.text)
		if err != nil {
			msg := strings.Join(strings.Fields(err.Error()), " ")
			errs = append(errs, fmt.Sprintf("%s: document %d (line %d): %s", path, i+1, d.line, msg))
			continue
		}
		if obj == nil {
			continue
		}
		objects++
		_ = out.Encode(map[string]any{"file": path, "doc": i + 1, "line": d.line, "object": obj})
	}
	if objects == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Sprintf("%s: no Kubernetes object in it", path))
	}
	return errs
}

func k8sCmd(args []string) {
	if len(args) == 0 {
		die("k8s DIR|FILE...")
	}
	files, err := k8sFiles(args)
	if err != nil {
		die("%v", err)
	}
	out := json.NewEncoder(os.Stdout)
	var errs []string
	for _, f := range files {
		errs = append(errs, k8sFile(f, out)...)
	}
	for _, e := range errs {
		fmt.Fprintf(os.Stderr, "compose-validate: %s\n", e)
	}
	if len(errs) > 0 {
		os.Exit(1)
	}
}
