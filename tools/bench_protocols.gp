# The plot of tools/bench_protocols.py: for each compiler, instructions per negotiation (and, when
# timed, the median time) of kshake, the C chain and the C switch, side by side for every
# protocol and case. The tool writes `data` (one block per compiler: label, three instruction
# counts, three medians in ns) and runs
#   gnuplot -e "data='...'; out='...png'; compilers=N; labels='g++ clang-19'; timed=0|1" tools/bench_protocols.gp
set terminal pngcairo size 1400,(timed ? 900 : 480) * compilers font "DejaVu Sans,10" noenhanced
set output out
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set key top left opaque box
set xtics rotate by -30 font ",9"
set yrange [0:*]
colour(i) = i == 1 ? "#1f77b4" : (i == 2 ? "#d62728" : "#ff7f0e")
set multiplot layout compilers * (timed ? 2 : 1), 1 title "One negotiation per protocol and case: kshake against the generated C (lower is better)"
do for [c = 0:compilers - 1] {
    set ylabel "instructions"
    set title word(labels, c + 1) . ": instructions per negotiation (callgrind)"
    plot data index c using 2:xtic(1) title "kshake" lc rgb colour(1), \
         '' index c using 3 title "C chain (IsEqualGUID)" lc rgb colour(2), \
         '' index c using 4 title "C switch (first 8 bytes)" lc rgb colour(3)
    if (timed) {
        set ylabel "ns"
        set title word(labels, c + 1) . ": time per negotiation, median of interleaved rounds"
        plot data index c using 5:xtic(1) title "kshake" lc rgb colour(1), \
             '' index c using 6 title "C chain (IsEqualGUID)" lc rgb colour(2), \
             '' index c using 7 title "C switch (first 8 bytes)" lc rgb colour(3)
    }
}
unset multiplot
