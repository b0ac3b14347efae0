# SPDX-License-Identifier: GPL-2.0
# bench/chart.gp: make bench's chart, from chart.dat (bench/report).
#   gnuplot -e "dir='build/bench'; stamp='...'" bench/chart.gp
# Left, what accounting adds to an allocation and its release over
# unpatched 6.12, in µs; right, the same as a share of the allocation.
# The system heap only: the CMA heap's figures differ from boot to boot
# by far more than any charge (bench.md says so under its table).
# noenhanced: the title's underscores and the "~" of Debian's version
# are text, not gnuplot's subscripts and overprint.
set terminal pngcairo noenhanced size 1280,520 font "DejaVu Sans,10"
set output dir.'/bench.png'
set datafile missing 'NaN'
set multiplot layout 1,2 title "What dma-buf accounting adds to DMA_HEAP_IOCTL_ALLOC + close (system heap), over unpatched 6.12\n".stamp
set logscale x 2
set xrange [3:90000]
set xtics ("4K" 4, "64K" 64, "1M" 1024, "16M" 16384, "64M" 65536)
set xlabel "buffer size"
set grid
set key top left
set style line 1 lc rgb '#c0392b' lw 2 pt 7
set style line 2 lc rgb '#2471a3' lw 2 pt 5
set style line 3 lc rgb '#229954' lw 2 pt 9

set title "added time (µs, guest instructions / 1000)"
set logscale y 10
set ylabel "µs"
plot dir.'/chart.dat' using 1:2 with linespoints ls 1 title "7.0 behaviour (mem_accounting=1)", \
     '' using 1:3 with linespoints ls 2 title "series, caller charged", \
     '' using 1:4 with linespoints ls 3 title "series, charge_pid_fd"

set title "added share of the allocation and release (%)"
unset logscale y
set ylabel "%"
set key top right
plot dir.'/chart.dat' using 1:5 with linespoints ls 1 title "7.0 behaviour", \
     '' using 1:6 with linespoints ls 2 title "series, caller", \
     '' using 1:7 with linespoints ls 3 title "series, charge_pid_fd"
unset multiplot
