# Instructions per negotiation against the number of routes, log-log, from the CSV that
# tools/bench_instructions.py writes: one panel per compiler in it (g++ 12, clang-19; the plot's
# title names them), each with kshake and best C (the cheapest hand-written C pattern at each N
# and case), for the average over all routes and for an unknown id, and the floor (the cheapest
# correct round trip, the same at every N). Run from the repository root:
#   gnuplot -e "csv='benchmarks/results/instructions.csv'; out='docs/bench-instructions.png'" tools/bench_plot.gp
if (!exists("csv")) csv = 'benchmarks/results/instructions.csv'
if (!exists("out")) out = 'docs/bench-instructions.png'

set terminal pngcairo size 1400,600 font "DejaVu Sans,11" noenhanced
set output out
set datafile separator ','
set datafile columnheaders

# A panel for each compiler the CSV holds (tools/bench_instructions.py --compiler gcc|clang|both).
stats csv using (strcol("compiler") eq "gcc" ? 1 : 0) name "G" nooutput
stats csv using (strcol("compiler") eq "clang" ? 1 : 0) name "L" nooutput
# Room above the highest average or unknown-id curve for the key.
stats csv using (strcol("case") eq "all" || strcol("case") eq "unknown" ? column("kshake") : NaN) name "K" nooutput
stats csv using (strcol("case") eq "all" || strcol("case") eq "unknown" ? column("best_c") : NaN) name "C" nooutput

compilers = (G_sum > 0 ? "gcc " : "") . (L_sum > 0 ? "clang" : "")
names = (G_sum > 0 ? "g++ 12" : "") . (G_sum > 0 && L_sum > 0 ? " and " : "") . (L_sum > 0 ? "clang-19" : "")

set xlabel "routes served by the responder (N)"
set ylabel "instructions per negotiation"
set logscale x 2
set logscale y 10
set xrange [0.8:1300]
set yrange [20:2.2 * (K_max > C_max ? K_max : C_max)]
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "64" 64, "256" 256, "1024" 1024)
set ytics ("20" 20, "30" 30, "50" 50, "70" 70, "100" 100, "150" 150, "200" 200, "300" 300, "500" 500, "1000" 1000)
set format y "%.0f"
set grid xtics ytics lc rgb "#dddddd"
set key top left box opaque font ",10"
set style line 1 lc rgb "#1f77b4" lw 2.5 pt 7 ps 1.1
set style line 2 lc rgb "#1f77b4" lw 1.5 dt 2 pt 6 ps 1.0
set style line 3 lc rgb "#d62728" lw 2.5 pt 5 ps 1.1
set style line 4 lc rgb "#d62728" lw 1.5 dt 2 pt 4 ps 1.0
set style line 5 lc rgb "#555555" lw 1.5 dt 3 pt 0
set style line 6 lc rgb "#555555" lw 1.0 dt 4 pt 0

# The value of column `col` on the rows of compiler `c` and case `name`, NaN elsewhere.
pick(c, name, col) = (strcol("compiler") eq c && strcol("case") eq name) ? column(col) : NaN

set multiplot layout 1,words(compilers) title "One KsPinHandshake negotiation: instructions per round trip (callgrind, -O2; " . names . ")"
do for [c in compilers] {
    set title (c eq "gcc" ? "g++ 12" : "clang-19")
    plot csv using "routes":(pick(c, "all", "kshake")) with linespoints ls 1 title "kshake, average over all routes", \
         csv using "routes":(pick(c, "unknown", "kshake")) with linespoints ls 2 title "kshake, unknown id", \
         csv using "routes":(pick(c, "all", "best_c")) with linespoints ls 3 title "best C, average over all routes", \
         csv using "routes":(pick(c, "unknown", "best_c")) with linespoints ls 4 title "best C, unknown id", \
         csv using "routes":(pick(c, "all", "floor")) with lines ls 5 title "floor, hit", \
         csv using "routes":(pick(c, "unknown", "floor")) with lines ls 6 title "floor, unknown id"
}
unset multiplot
