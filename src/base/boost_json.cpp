// Boost.JSON's compiled part, built once (its header-only mode) rather than linking a
// libboost_json the build machines may lack: dirmailctl, dirmail-import and dirmaild's
// control socket share it through dirmail::json.
#include <boost/json/src.hpp>
