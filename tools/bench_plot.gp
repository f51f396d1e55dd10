# Instructions per negotiation against the number of routes, from the CSV that
# tools/bench_instructions.py writes. Run from the repository root:
#   gnuplot -e "csv='benchmarks/results/instructions.csv'; out='docs/bench-instructions.png'" tools/bench_plot.gp
if (!exists("csv")) csv = 'benchmarks/results/instructions.csv'
if (!exists("out")) out = 'docs/bench-instructions.png'

set terminal pngcairo size 900,560 font "DejaVu Sans,11" noenhanced
set output out
set datafile separator ','
set key autotitle columnhead
set title "One KsPinHandshake negotiation: instructions per round trip (callgrind, g++ -O2)"
set xlabel "routes served by the responder (N)"
set ylabel "instructions per negotiation"
set logscale x 2
set logscale y 10
set xrange [0.8:1300]
set yrange [20:50000]
set xtics ("1" 1, "4" 4, "16" 16, "64" 64, "256" 256, "1024" 1024)
set format y "%.0f"
set grid xtics ytics mytics lc rgb "#dddddd"
set key top left box opaque
set style line 1 lc rgb "#1f77b4" lw 2.5 pt 7 ps 1.2
set style line 2 lc rgb "#d62728" lw 2.5 pt 5 ps 1.2
set style line 3 lc rgb "#d62728" lw 1.5 dt 2 pt 4 ps 1.0
set style line 4 lc rgb "#1f77b4" lw 1.5 dt 2 pt 6 ps 1.0
set style line 5 lc rgb "#ff7f0e" lw 1.5 dt 3 pt 8 ps 1.0

pick(name, col) = (strcol(1) eq name) ? column(col) : NaN

plot csv using 2:(pick("all", 4)) with linespoints ls 2 title "C if/else-if chain, average over all routes", \
     csv using 2:(pick("last", 4)) with linespoints ls 3 title "C chain, last route", \
     csv using 2:(pick("unknown", 4)) with linespoints ls 5 title "C chain, unknown id", \
     csv using 2:(pick("all", 3)) with linespoints ls 1 title "kshake, average over all routes", \
     csv using 2:(pick("unknown", 3)) with linespoints ls 4 title "kshake, unknown id"
