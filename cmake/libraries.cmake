# The libraries, lowest first: a library may only use those listed before it.
#   core <- net, redis <- db, store, channels, llm, metrics, media, youtube <- rag, queue <- agents
#   <- pipeline <- api, worker <- cli
# Each library's extra targets (integration tests, fuzz targets, benches) live in
# cmake/<library>.cmake, owned with the library.
set(ESPEAK_TARGET ${ESPEAK_NG_LIB})

yaa_library(core DEPS PkgConfig::SODIUM PkgConfig::JANSSON Threads::Threads m)
yaa_library(net DEPS yaa_core PkgConfig::CURL)
yaa_library(db DEPS yaa_core PkgConfig::SQLITE PkgConfig::LIBPQ)
# The store hashes every artifact: OpenSSL's SHA-256 (SHA-NI) runs ~6x libsodium's.
pkg_check_modules(CRYPTO REQUIRED IMPORTED_TARGET libcrypto)
yaa_library(store DEPS yaa_net PkgConfig::CRYPTO)
yaa_library(channels DEPS yaa_db yaa_store PkgConfig::YAML)
yaa_library(metrics DEPS yaa_net)
yaa_library(llm DEPS yaa_net yaa_db PkgConfig::YAML)
yaa_library(media DEPS yaa_net PkgConfig::YAML PkgConfig::CAIRO PkgConfig::LIBASS PkgConfig::ZLIB ${ESPEAK_NG_LIB} ${FLITE_LIBS})
yaa_library(youtube DEPS yaa_net)
yaa_library(rag DEPS yaa_llm yaa_channels)
yaa_library(redis DEPS yaa_core PkgConfig::HIREDIS)
yaa_library(queue DEPS yaa_db yaa_redis)
yaa_library(agents DEPS yaa_rag yaa_media yaa_youtube yaa_channels)
yaa_library(pipeline DEPS yaa_agents yaa_queue yaa_metrics)
yaa_library(api DEPS yaa_pipeline PkgConfig::MHD)
yaa_library(worker DEPS yaa_pipeline)

# The `yaa` binary: every src/cli/*.c is linked in directly (not through an archive), so
# a command's weak declaration in cli.h resolves as soon as its cmd_<name>.c exists.
file(GLOB cli_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/cli/*.c)
add_executable(yaa ${cli_srcs})
target_include_directories(yaa PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(yaa PRIVATE yaa_api yaa_worker)
set_target_properties(yaa PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

yaa_fuzz(dotenv SOURCE ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_dotenv.c DEPS yaa_core SECONDS 5)

foreach(lib core net db store channels metrics llm media youtube rag queue agents pipeline api worker cli web bench valgrind usage chaos)
  include(${CMAKE_SOURCE_DIR}/cmake/${lib}.cmake OPTIONAL)
endforeach()
