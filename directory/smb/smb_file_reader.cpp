#include "dirmail/directory/smb_file_reader.hpp"

#include <fcntl.h>
#include <libsmbclient.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "../ldap/gssapi_credentials.hpp"
#include "dirmail/base/libsmbclient_mutex.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::directory {
namespace {

// KRB5CCNAME is the process's: a reader sets it to its own cache under the lock every
// libsmbclient call of the process takes (the store's SMB file system takes it too).
std::mutex& environment_mutex() { return libsmbclient_mutex(); }

ErrorCode code_for(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return ErrorCode::not_found;
    case EACCES:
    case EPERM:
      return ErrorCode::permission_denied;
    default:
      return ErrorCode::temporary_failure;
  }
}

// libsmbclient asks for credentials; with Kerberos they come from the cache, so only
// the user name (the principal's) is given, and no password.
void no_password(SMBCCTX* context, const char*, const char*, char* workgroup, int workgroup_size, char* user,
                 int user_size, char* password, int password_size) {
  const char* name = smbc_getUser(context);
  if (user_size > 0 && name != nullptr) std::snprintf(user, static_cast<std::size_t>(user_size), "%s", name);
  const char* domain = smbc_getWorkgroup(context);
  if (workgroup_size > 0 && domain != nullptr)
    std::snprintf(workgroup, static_cast<std::size_t>(workgroup_size), "%s", domain);
  if (password_size > 0) password[0] = '\0';
}

}  // namespace

struct SmbFileReader::State {
  std::unique_ptr<KeytabCredentials> credentials;
  std::string user, realm;
  SMBCCTX* context = nullptr;

  ~State() {
    if (context == nullptr) return;
    std::lock_guard lock(environment_mutex());
    smbc_free_context(context, 1);
  }
};

SmbFileReader::SmbFileReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
SmbFileReader::~SmbFileReader() = default;

std::string SmbFileReader::smb_url(std::string_view unc_path) {
  while (!unc_path.empty() && (unc_path.front() == '\\' || unc_path.front() == '/')) unc_path.remove_prefix(1);
  std::string url = "smb://";
  for (char c : unc_path) url += c == '\\' ? '/' : c;
  return url;
}

Result<std::unique_ptr<SmbFileReader>> SmbFileReader::open(const SmbReaderOptions& options) {
  auto state = std::make_unique<State>();
  auto credentials = KeytabCredentials::acquire(options.keytab, options.principal, "SYSVOL", options.cache_file);
  if (!credentials) return std::move(credentials).error();
  state->credentials = std::move(*credentials);
  const std::string& principal = state->credentials->principal();
  const auto at = principal.rfind('@');
  state->user = principal.substr(0, at);
  state->realm = at == std::string::npos ? "" : principal.substr(at + 1);

  std::lock_guard lock(environment_mutex());
  state->context = smbc_new_context();
  if (state->context == nullptr) return make_error(ErrorCode::internal, "SYSVOL: smbc_new_context failed");
  SMBCCTX* ctx = state->context;
  smbc_setDebug(ctx, 0);
  smbc_setTimeout(ctx, static_cast<int>(options.timeout.count()));
  smbc_setOptionUseKerberos(ctx, 1);
  smbc_setOptionFallbackAfterKerberos(ctx, 0);
  smbc_setOptionUseCCache(ctx, 1);
  smbc_setOptionNoAutoAnonymousLogin(ctx, 1);
  smbc_setUser(ctx, state->user.c_str());
  smbc_setWorkgroup(ctx, state->realm.c_str());
  smbc_setFunctionAuthDataWithContext(ctx, no_password);
  ::setenv("KRB5CCNAME", state->credentials->cache_name().c_str(), 1);
  if (smbc_init_context(ctx) == nullptr) {
    const int error = errno;
    return make_error(ErrorCode::internal, std::string("SYSVOL: libsmbclient does not start: ") + std::strerror(error));
  }
  return std::unique_ptr<SmbFileReader>(new SmbFileReader(std::move(state)));
}

Result<std::string> SmbFileReader::read(std::string_view unc_path, std::size_t limit) {
  const std::string url = smb_url(unc_path);
  const std::string what = escape_control(unc_path);
  SMBCCTX* ctx = state_->context;
  std::lock_guard lock(environment_mutex());
  ::setenv("KRB5CCNAME", state_->credentials->cache_name().c_str(), 1);
  auto fail = [&](std::string_view step) {
    const int error = errno;
    return make_error(code_for(error), what + ": " + std::string(step) + ": " + std::strerror(error));
  };
  SMBCFILE* file = smbc_getFunctionOpen(ctx)(ctx, url.c_str(), O_RDONLY, 0);
  if (file == nullptr) return fail("cannot open");
  std::string data;
  char buffer[65536];
  for (;;) {
    const ssize_t got = smbc_getFunctionRead(ctx)(ctx, file, buffer, sizeof buffer);
    if (got < 0) {
      auto error = fail("cannot read");
      smbc_getFunctionClose(ctx)(ctx, file);
      return error;
    }
    if (got == 0) break;
    data.append(buffer, static_cast<std::size_t>(got));
    if (data.size() > limit) {
      smbc_getFunctionClose(ctx)(ctx, file);
      return make_error(ErrorCode::limit_exceeded, what + ": larger than " + std::to_string(limit) + " bytes");
    }
  }
  smbc_getFunctionClose(ctx)(ctx, file);
  return data;
}

}  // namespace dirmail::directory
