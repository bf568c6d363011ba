// Command promlint is `promtool check metrics` without the rest of Prometheus: it parses a text exposition
// from stdin with client_golang's own parser (expfmt) and runs client_golang's promlint over it.
//
// No package registry reachable from Baton's machines ships promtool, so the test suite builds this with
// `go build` into ~/.cache/baton/promlint/<version>/ (see scripts/promlint-install.mjs). It prints one
// line per problem and exits 1 on any problem or parse error, 0 on a clean exposition.
package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func main() {
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error while parsing the exposition: %v\n", err)
		os.Exit(1)
	}
	names := make([]string, 0, len(families))
	for name := range families {
		names = append(names, name)
	}
	sort.Strings(names)
	ordered := make([]*dto.MetricFamily, 0, len(names))
	for _, name := range names {
		ordered = append(ordered, families[name])
	}
	problems, err := promlint.NewWithMetricFamilies(ordered).Lint()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error while linting: %v\n", err)
		os.Exit(1)
	}
	for _, problem := range problems {
		fmt.Printf("%s: %s\n", problem.Metric, problem.Text)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "%d metric families, no problems\n", len(ordered))
}
