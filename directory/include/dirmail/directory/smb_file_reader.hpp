#pragma once
// Reading a file from an SMB share (SYSVOL; later the UNC store backend), behind an
// interface so that callers can be tested without a server.
//
// SmbFileReader uses libsmbclient with Kerberos only (no NTLM, no anonymous fallback):
// a TGT is got from the keytab into a FILE credential cache (libsmbclient carries its
// own Heimdal, which cannot see MIT's MEMORY caches) that KRB5CCNAME names for the
// process. Every call blocks (network round trips): run it off the I/O threads. One
// reader is used by one thread at a time.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

class RemoteFileReader {
 public:
  virtual ~RemoteFileReader() = default;
  // The bytes of `unc_path` ("\\server\share\folder\file"). not_found when the file
  // does not exist; limit_exceeded when it is longer than `limit`; temporary_failure
  // when the server cannot be reached; permission_denied when it refuses us.
  virtual Result<std::string> read(std::string_view unc_path, std::size_t limit) = 0;
};

struct SmbReaderOptions {
  std::string keytab;      // holds `principal`
  std::string principal;   // empty: the keytab's first entry
  std::string cache_file;  // the FILE credential cache to write (a private path)
  std::chrono::milliseconds timeout{10000};
};

class SmbFileReader final : public RemoteFileReader {
 public:
  // Gets the ticket and sets up the libsmbclient context.
  static Result<std::unique_ptr<SmbFileReader>> open(const SmbReaderOptions& options);
  ~SmbFileReader() override;
  SmbFileReader(const SmbFileReader&) = delete;
  SmbFileReader& operator=(const SmbFileReader&) = delete;

  Result<std::string> read(std::string_view unc_path, std::size_t limit) override;

  // "smb://server/share/folder/file" for "\\server\share\folder\file".
  static std::string smb_url(std::string_view unc_path);

 private:
  struct State;
  explicit SmbFileReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace dirmail::directory
