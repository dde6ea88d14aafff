// Command benchtable turns `go test -bench -benchmem` output into the Markdown
// table of BENCHMARKS.md. Benchmarks are grouped by their name before the
// last slash; the sub-benchmark named "raw" is the floor each row of its group
// is compared with. With -count > 1 each metric is the median of the runs.
//
//	go test -run '^$' -bench . -benchmem -count 6 ./... | go run ./internal/cmd/benchtable
package main

import (
	"bufio"
	"fmt"
	"io"
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
	fmt.Fprintln(out, "| benchmark | runs | ns/op | B/op | allocs/op | time vs raw | allocs vs raw | other |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range results {
		ns, b, allocs := median(r.metrics["ns/op"]), median(r.metrics["B/op"]), median(r.metrics["allocs/op"])
		timeRatio, allocRatio := "", ""
		if g, sub := group(r.name); sub != "raw" && floors[g] != nil {
			f := floors[g]
			if fns := median(f.metrics["ns/op"]); fns > 0 {
				timeRatio = fmt.Sprintf("%.2f×", ns/fns)
			}
			if fa := median(f.metrics["allocs/op"]); fa > 0 {
				allocRatio = fmt.Sprintf("%.2f×", allocs/fa)
			}
		}
		var other []string
		for unit, vs := range r.metrics {
			switch unit {
			case "ns/op", "B/op", "allocs/op":
			default:
				other = append(other, fmt.Sprintf("%.4g %s", median(vs), unit))
			}
		}
		slices.Sort(other)
		fmt.Fprintf(out, "| %s | %d | %.0f | %.0f | %.0f | %s | %s | %s |\n",
			strings.TrimPrefix(r.name, "Benchmark"), len(r.metrics["ns/op"]), ns, b, allocs, timeRatio, allocRatio, strings.Join(other, ", "))
	}
	return nil
}
