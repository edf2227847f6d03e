#include "dirmail/store/posix_mail_store.hpp"

#include "dirmail/store/posix_file_system.hpp"

namespace dirmail::store {

PosixMailStore::PosixMailStore(PosixMailStoreOptions options)
    : FileMailStore(std::make_shared<PosixFileSystem>(), std::move(options)) {}

}  // namespace dirmail::store
