# SPDX-License-Identifier: GPL-2.0
# bench/chart.gp: make bench's chart, from chart.dat (bench/report).
#   gnuplot -e "dir='build/bench'; stamp='...'" bench/chart.gp
# Left, what accounting adds to an allocation and its release over
# unpatched 6.12, in µs; right, the same as a share of the allocation.
# Solid lines: the system heap; dashed: the CMA heap (which 7.0's
# behaviour does not charge).
set terminal pngcairo size 1280,520 font "DejaVu Sans,10"
set output dir.'/bench.png'
set datafile missing 'NaN'
set multiplot layout 1,2 title "What dma-buf accounting adds to DMA_HEAP_IOCTL_ALLOC + close, over unpatched 6.12\n".stamp
set logscale x 2
set xtics ("4K" 4, "64K" 64, "1M" 1024, "16M" 16384, "64M" 65536)
set xlabel "buffer size"
set grid
set key top left
set style line 1 lc rgb '#c0392b' lw 2 pt 7
set style line 2 lc rgb '#2471a3' lw 2 pt 5
set style line 3 lc rgb '#229954' lw 2 pt 9
set style line 4 lc rgb '#c0392b' lw 1 dt 2 pt 6
set style line 5 lc rgb '#2471a3' lw 1 dt 2 pt 4
set style line 6 lc rgb '#229954' lw 1 dt 2 pt 8

set title "added time (µs, guest instructions / 1000)"
set logscale y 10
set ylabel "µs"
plot dir.'/chart.dat' using 1:2 with linespoints ls 1 title "7.0 behaviour (mem\\_accounting=1)", \
     '' using 1:3 with linespoints ls 2 title "series, caller charged", \
     '' using 1:4 with linespoints ls 3 title "series, charge\\_pid\\_fd", \
     '' using 1:9 with linespoints ls 5 title "series, caller, CMA heap", \
     '' using 1:10 with linespoints ls 6 title "series, charge\\_pid\\_fd, CMA heap"

set title "added share of the allocation and release (%)"
unset logscale y
set ylabel "%"
set key top right
plot dir.'/chart.dat' using 1:5 with linespoints ls 1 title "7.0 behaviour", \
     '' using 1:6 with linespoints ls 2 title "series, caller", \
     '' using 1:7 with linespoints ls 3 title "series, charge\\_pid\\_fd", \
     '' using 1:12 with linespoints ls 5 title "series, caller, CMA heap", \
     '' using 1:13 with linespoints ls 6 title "series, charge\\_pid\\_fd, CMA heap"
unset multiplot
