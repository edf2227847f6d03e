// Asio's implementation, compiled once for the whole program
// (BOOST_ASIO_SEPARATE_COMPILATION is defined for every target).
#include <boost/asio/impl/src.hpp>
