#include "dirmail/base/libsmbclient_mutex.hpp"

namespace dirmail {

std::mutex& libsmbclient_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace dirmail
