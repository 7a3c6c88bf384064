// Command driver loads Node-RED's intake flow the way `salesflow bench` loads Salesflow: it posts leads and
// measures each lead's POST → webhook arrival at its own receiver.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("target", "http://127.0.0.1:1880/lead", "")
	leads := flag.Int("leads", 3000, "")
	conc := flag.Int("concurrency", 50, "")
	rate := flag.Float64("rate", 0, "")
	recv := flag.String("receiver", "127.0.0.1:18199", "")
	pid := flag.Int("pid", 0, "")
	flag.Parse()
	var mu sync.Mutex
	sent, got := map[string]time.Time{}, map[string]time.Time{}
	var last time.Time
	ln, err := net.Listen("tcp", *recv)
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct{ Email string }
		_ = json.NewDecoder(r.Body).Decode(&b)
		now := time.Now()
		mu.Lock()
		if _, ok := got[b.Email]; !ok {
			got[b.Email], last = now, now
		}
		mu.Unlock()
	}))
	var maxRSS atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid)); err == nil {
				for _, l := range strings.Split(string(data), "\n") {
					if r, ok := strings.CutPrefix(l, "VmRSS:"); ok {
						n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(r), " kB"), 10, 64)
						if n > maxRSS.Load() {
							maxRSS.Store(n)
						}
					}
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512}, Timeout: time.Minute}
	var next, errs atomic.Int64
	start := time.Now()
	var interval time.Duration
	if *rate > 0 {
		interval = time.Duration(float64(time.Second) / *rate)
	}
	var wg sync.WaitGroup
	for range *conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= *leads {
					return
				}
				if interval > 0 {
					if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
						time.Sleep(d)
					}
				}
				email := fmt.Sprintf("l%d@nr.example", i)
				body, _ := json.Marshal(map[string]any{"email": email, "employees": i % 500, "source": "bench"})
				mu.Lock()
				sent[email] = time.Now()
				mu.Unlock()
				res, err := hc.Post(*target, "application/json", bytes.NewReader(body))
				if err != nil || res.StatusCode != 201 {
					errs.Add(1)
				}
				if res != nil {
					res.Body.Close()
				}
			}
		})
	}
	wg.Wait()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= *leads-int(errs.Load()) {
			break
		}
	}
	close(stop)
	mu.Lock()
	defer mu.Unlock()
	var lat []time.Duration
	for e, g := range got {
		lat = append(lat, g.Sub(sent[e]))
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
	el := last.Sub(start)
	fmt.Printf("%d leads, %d webhooks in %s: %.0f leads/s; POST→webhook p50 %s p95 %s p99 %s max %s; RSS max %.0f MiB; %d POST errors\n",
		*leads, len(lat), el.Round(time.Millisecond), float64(len(lat))/el.Seconds(), ms(pct(.5)), ms(pct(.95)), ms(pct(.99)), ms(pct(1)), float64(maxRSS.Load())/1024, errs.Load())
}
