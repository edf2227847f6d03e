// Boost.JSON's compiled part, built into dirmailctl once (its header-only mode) rather
// than linking a libboost_json the build machines may lack. The one such file in the tool.
#include <boost/json/src.hpp>
