// Command benchtable turns `go test -bench -benchmem` output into the Markdown
// table of BENCHMARKS.md. Benchmarks are grouped by their name before the
// last slash; the sub-benchmark named "raw" is the floor each row of its group
// is compared with: wall time, CPU time (cpu-ns/op), bytes and allocations
// per operation. Other metrics are listed as they are. With -count > 1 (or
// several passes) each metric is the median of the runs.
//
//	go test -run '^$' -bench . -benchmem -count 6 ./... | go run ./internal/cmd/benchtable
package main

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// result holds every run's value of every metric of one benchmark.
type result struct {
	name    string
	metrics map[string][]float64
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parse(r io.Reader) ([]*result, []string, error) {
	var (
		order   []*result
		byName  = map[string]*result{}
		context []string
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		for _, key := range []string{"goos:", "goarch:", "cpu:"} {
			if strings.HasPrefix(line, key) && !slices.Contains(context, line) {
				context = append(context, line)
			}
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		res := byName[m[1]]
		if res == nil {
			res = &result{name: m[1], metrics: map[string][]float64{}}
			byName[m[1]] = res
			order = append(order, res)
		}
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: bad value %q", m[1], fields[i])
			}
			res.metrics[fields[i+1]] = append(res.metrics[fields[i+1]], v)
		}
	}
	return order, context, sc.Err()
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func group(name string) (string, string) {
	i := strings.LastIndex(name, "/")
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i+1:]
}

func run(in io.Reader, out io.Writer) error {
	results, context, err := parse(in)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	floors := map[string]*result{}
	for _, r := range results {
		if g, sub := group(r.name); sub == "raw" {
			floors[g] = r
		}
	}
	for _, c := range context {
		fmt.Fprintf(out, "`%s`  \n", c)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| benchmark | runs | ns/op | cpu-ns/op | B/op | allocs/op | time vs raw | CPU vs raw | B vs raw | allocs vs raw | other |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range results {
		var ratios [len(ratioUnits)]string
		if g, sub := group(r.name); sub != "raw" && floors[g] != nil {
			for i, unit := range ratioUnits {
				ratios[i] = ratio(r, floors[g], unit)
			}
		}
		var other []string
		for _, unit := range slices.Sorted(maps.Keys(r.metrics)) {
			if !slices.Contains(ratioUnits[:], unit) {
				other = append(other, fmt.Sprintf("%.4g %s", median(r.metrics[unit]), unit))
			}
		}
		fmt.Fprintf(out, "| %s | %d | %s | %s | %s | %s | %s | %s |\n",
			strings.TrimPrefix(r.name, "Benchmark"), len(r.metrics["ns/op"]),
			value(r, "ns/op"), value(r, "cpu-ns/op"), value(r, "B/op"), value(r, "allocs/op"),
			strings.Join(ratios[:], " | "), strings.Join(other, ", "))
	}
	return nil
}

// ratioUnits are the metrics with their own columns, each compared with the
// floor's.
var ratioUnits = [...]string{"ns/op", "cpu-ns/op", "B/op", "allocs/op"}

// value is the median of r's unit, or empty when r did not report it.
func value(r *result, unit string) string {
	if len(r.metrics[unit]) == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f", median(r.metrics[unit]))
}

// ratio is r's median of unit over the floor's, or empty when either lacks it.
func ratio(r, floor *result, unit string) string {
	v, f := r.metrics[unit], floor.metrics[unit]
	if len(v) == 0 || len(f) == 0 || median(f) == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f×", median(v)/median(f))
}
