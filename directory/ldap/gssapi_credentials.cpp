#include "gssapi_credentials.hpp"

#include "dirmail/directory/krb5_handles.hpp"

#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

#include <cerrno>
#include <cstdint>

namespace dirmail::directory {

struct KeytabCredentials::Krb5 {
  krb5_context context = nullptr;
  krb5_keytab keytab = nullptr;
  krb5_principal client = nullptr;
  krb5_ccache cache = nullptr;

  ~Krb5() {
    // Destroy, not close: a MEMORY cache lives in the process until destroyed.
    if (cache != nullptr) krb5_cc_destroy(context, cache);
    if (client != nullptr) krb5_free_principal(context, client);
    if (keytab != nullptr) krb5_kt_close(context, keytab);
    if (context != nullptr) krb5_free_context(context);
  }
};

namespace {

ErrorCode krb5_error_code_for(krb5_error_code code) {
  switch (code) {
    case KRB5_KDC_UNREACH:
    case KRB5_REALM_CANT_RESOLVE:
    case KRB5KDC_ERR_SVC_UNAVAILABLE:
    case KRB5KRB_ERR_RESPONSE_TOO_BIG:
    case ETIMEDOUT:
    case ECONNREFUSED:
      return ErrorCode::temporary_failure;
    case ENOENT:
    case EACCES:
    case KRB5_KT_NOTFOUND:
    case KRB5_KT_END:
    case KRB5_KT_BADNAME:
    case KRB5_KT_UNKNOWN_TYPE:
    case KRB5_KT_FORMAT:
    case KRB5_PARSE_MALFORMED:
    case KRB5_CONFIG_NODEFREALM:
      return ErrorCode::invalid_argument;
    case ENOMEM:
      return ErrorCode::internal;
    default:
      return ErrorCode::permission_denied;
  }
}

// The KDC's answer to an AS request with the keytab's key: a TGT for the client.
krb5_error_code ask_kdc(krb5_context ctx, krb5_principal client, krb5_keytab keytab, krb5_creds* creds) {
  krb5_get_init_creds_opt* opts = nullptr;
  krb5_error_code rc = krb5_get_init_creds_opt_alloc(ctx, &opts);
  if (rc != 0) return rc;
  rc = krb5_get_init_creds_keytab(ctx, creds, client, keytab, 0, nullptr, opts);
  krb5_get_init_creds_opt_free(ctx, opts);
  return rc;
}

krb5_error_code store_ticket(krb5_context ctx, krb5_ccache cache, krb5_principal client, krb5_creds* creds) {
  krb5_error_code rc = krb5_cc_initialize(ctx, cache, client);
  if (rc == 0) rc = krb5_cc_store_cred(ctx, cache, creds);
  return rc;
}

std::chrono::system_clock::time_point time_of(krb5_timestamp t) {
  // krb5 timestamps are unsigned 32-bit seconds carried in a signed int (past 2038).
  return std::chrono::system_clock::time_point(std::chrono::seconds(static_cast<std::uint32_t>(t)));
}

}  // namespace

KeytabCredentials::KeytabCredentials(std::unique_ptr<Krb5> krb5, std::string principal, std::string cache_name,
                                     std::string prefix)
    : krb5_(std::move(krb5)),
      principal_(std::move(principal)),
      cache_name_(std::move(cache_name)),
      prefix_(std::move(prefix)) {}

KeytabCredentials::~KeytabCredentials() = default;

Result<std::unique_ptr<KeytabCredentials>> KeytabCredentials::acquire(std::string_view keytab,
                                                                      std::string_view principal,
                                                                      std::string_view context,
                                                                      std::string_view file_cache) {
  std::string prefix(context);
  prefix += ": Kerberos ticket";
  if (!principal.empty()) prefix += " for " + std::string(principal);
  prefix += " from keytab " + std::string(keytab);
  if (keytab.empty())
    return make_error(ErrorCode::invalid_argument, std::string(context) + ": GSSAPI bind needs a keytab");

  auto krb5 = std::make_unique<Krb5>();
  krb5_error_code rc = krb5_init_context(&krb5->context);
  if (rc != 0)
    return make_error(ErrorCode::invalid_argument,
                      prefix + " failed: cannot read the Kerberos configuration (error " +
                          std::to_string(rc) + ")");
  krb5_context ctx = krb5->context;
  auto fail = [&](krb5_error_code code, std::string_view step) {
    return make_error(krb5_error_code_for(code),
                      prefix + " failed: " + std::string(step) + ": " + krb5_error_text(ctx, code));
  };

  std::string keytab_name = keytab_name_for(keytab);
  if ((rc = krb5_kt_resolve(ctx, keytab_name.c_str(), &krb5->keytab)) != 0) return fail(rc, "keytab");
  if (principal.empty()) {
    if ((rc = first_keytab_principal(ctx, krb5->keytab, &krb5->client)) != 0)
      return fail(rc, "reading the keytab's first entry");
  } else if ((rc = krb5_parse_name(ctx, std::string(principal).c_str(), &krb5->client)) != 0) {
    return fail(rc, "principal");
  }
  char* unparsed = nullptr;
  if ((rc = krb5_unparse_name(ctx, krb5->client, &unparsed)) != 0) return fail(rc, "principal");
  std::string client_name = unparsed;
  krb5_free_unparsed_name(ctx, unparsed);
  if (principal.empty()) {
    prefix = std::string(context) + ": Kerberos ticket for " + client_name + " from keytab " +
             std::string(keytab);
  }

  krb5_creds creds{};
  if ((rc = ask_kdc(ctx, krb5->client, krb5->keytab, &creds)) != 0) return fail(rc, "asking the KDC");
  const auto issued = time_of(creds.times.starttime != 0 ? creds.times.starttime : creds.times.authtime);
  const auto expires = time_of(creds.times.endtime);

  rc = file_cache.empty() ? krb5_cc_new_unique(ctx, "MEMORY", nullptr, &krb5->cache)
                          : krb5_cc_resolve(ctx, ("FILE:" + std::string(file_cache)).c_str(), &krb5->cache);
  if (rc == 0) rc = store_ticket(ctx, krb5->cache, krb5->client, &creds);
  krb5_free_cred_contents(ctx, &creds);
  if (rc != 0) return fail(rc, "credential cache");
  std::string cache_name = std::string(krb5_cc_get_type(ctx, krb5->cache)) + ":" +
                           krb5_cc_get_name(ctx, krb5->cache);
  std::unique_ptr<KeytabCredentials> made(
      new KeytabCredentials(std::move(krb5), std::move(client_name), std::move(cache_name), std::move(prefix)));
  made->issued_ = issued;
  made->expires_ = expires;
  return made;
}

Status KeytabCredentials::refresh(std::mutex& cache_readers) {
  krb5_context ctx = krb5_->context;
  auto fail = [&](krb5_error_code code, std::string_view step) {
    return make_error(krb5_error_code_for(code),
                      prefix_ + " failed: " + std::string(step) + ": " + krb5_error_text(ctx, code));
  };
  krb5_creds creds{};
  krb5_error_code rc = ask_kdc(ctx, krb5_->client, krb5_->keytab, &creds);
  if (rc != 0) return fail(rc, "asking the KDC");
  const auto issued = time_of(creds.times.starttime != 0 ? creds.times.starttime : creds.times.authtime);
  const auto expires = time_of(creds.times.endtime);
  {
    std::lock_guard lock(cache_readers);
    rc = store_ticket(ctx, krb5_->cache, krb5_->client, &creds);
  }
  krb5_free_cred_contents(ctx, &creds);
  if (rc != 0) return fail(rc, "credential cache");
  issued_ = issued;
  expires_ = expires;
  return ok_status();
}

Result<std::unique_ptr<ThreadGssCredentialCache>> ThreadGssCredentialCache::use(
    const std::string& cache_name) {
  OM_uint32 minor = 0;
  const char* previous = nullptr;
  OM_uint32 major = gss_krb5_ccache_name(&minor, cache_name.c_str(), &previous);
  if (GSS_ERROR(major))
    return make_error(ErrorCode::internal, "gss_krb5_ccache_name(" + cache_name +
                                               ") failed, minor status " + std::to_string(minor));
  // `previous` is the library's storage, valid until the next call: copy it now.
  bool had_previous = previous != nullptr;
  return std::unique_ptr<ThreadGssCredentialCache>(
      new ThreadGssCredentialCache(had_previous, had_previous ? previous : ""));
}

ThreadGssCredentialCache::~ThreadGssCredentialCache() {
  OM_uint32 minor = 0;
  gss_krb5_ccache_name(&minor, had_previous_ ? previous_.c_str() : nullptr, nullptr);
}

}  // namespace dirmail::directory
