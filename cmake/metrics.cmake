# metrics.cmake - extra targets of the metrics library: the listener's libmicrohttpd, the
# test program the integration tests scrape, integration tests and the benchmark.
target_link_libraries(yaa_metrics PUBLIC PkgConfig::MHD PkgConfig::CURL)
