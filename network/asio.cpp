// The one translation unit that compiles Boost.Asio.
//
// Every target that links ladder::network_real is built with BOOST_ASIO_SEPARATE_COMPILATION, so
// Asio's headers only declare its non-template code and this file defines it once. On two cores
// that saves compiling Asio's implementation again in every file that includes it.

#include <boost/asio/impl/src.hpp>
