# docs/benchmarks.png from the data blocks of scripts/bench/summary.py
# --plot-data.  usage: gnuplot -e "datafile='F'; outfile='O'" plot.gp
set terminal pngcairo size 1400,1000 font ",11" noenhanced
set output outfile
set multiplot layout 2,2 title "Detached seccomp filters vs per-container filters, Docker's profile (TCG and icount guests)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key below horizontal
set xtics rotate by -20

set title "Apply per container, churn (median, us, log scale)"
set logscale y
plot datafile index 0 using 2:xtic(1) title "TCG", '' index 0 using 3 title "icount"

set title "Spawns per second: fork + filter + exec (1/median, log scale)"
plot datafile index 1 using 2:xtic(1) title "TCG", '' index 1 using 3 title "icount"

set title "Notification round trips per second (median; N tasks)"
unset logscale y
plot datafile index 2 using 2:xtic(1) title "TCG", '' index 2 using 3 title "icount"

set title "Kernel memory of applying the filter to 1,000 containers (kB, log scale; 0.01 = none)"
set logscale y
plot datafile index 3 using 2:xtic(1) title "TCG", '' index 3 using 3 title "icount"
unset multiplot
