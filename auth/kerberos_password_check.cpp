#include "dirmail/auth/kerberos_password_check.hpp"

#include <krb5/krb5.h>
#include <string.h>  // explicit_bzero

#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "dirmail/base/log.hpp"
#include "dirmail/directory/krb5_handles.hpp"

namespace dirmail::auth {

using directory::Krb5Context;
using directory::Krb5Keytab;
using directory::Krb5Principal;
using directory::krb5_error_text;
using directory::principal_text;
using Clock = std::chrono::steady_clock;

std::string_view to_string(KerberosPasswordOutcome outcome) {
  switch (outcome) {
    case KerberosPasswordOutcome::accepted: return "accepted";
    case KerberosPasswordOutcome::empty_password: return "empty_password";
    case KerberosPasswordOutcome::bad_password: return "bad_password";
    case KerberosPasswordOutcome::unknown_principal: return "unknown_principal";
    case KerberosPasswordOutcome::revoked: return "revoked";
    case KerberosPasswordOutcome::password_expired: return "password_expired";
    case KerberosPasswordOutcome::clock_skew: return "clock_skew";
    case KerberosPasswordOutcome::kdc_unreachable: return "kdc_unreachable";
    case KerberosPasswordOutcome::configuration_error: return "configuration_error";
    case KerberosPasswordOutcome::refused: return "refused";
  }
  return "refused";
}

bool is_temporary(KerberosPasswordOutcome outcome) {
  return outcome == KerberosPasswordOutcome::kdc_unreachable || outcome == KerberosPasswordOutcome::clock_skew ||
         outcome == KerberosPasswordOutcome::configuration_error;
}

namespace {

bool means_unreachable(krb5_error_code code) {
  switch (code) {
    case KRB5_KDC_UNREACH:
    case KRB5_REALM_CANT_RESOLVE:
    case KRB5_REALM_UNKNOWN:
    case KRB5KDC_ERR_SVC_UNAVAILABLE:
    case ETIMEDOUT:
    case ECONNREFUSED:
    case ECONNRESET:
    case EHOSTUNREACH:
    case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

}  // namespace

KerberosPasswordOutcome outcome_of_as_exchange(std::int32_t code) {
  switch (code) {
    case 0: return KerberosPasswordOutcome::accepted;
    case KRB5KDC_ERR_PREAUTH_FAILED:
    case KRB5KRB_AP_ERR_BAD_INTEGRITY:  // the reply did not decrypt with the password's key
      return KerberosPasswordOutcome::bad_password;
    case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN: return KerberosPasswordOutcome::unknown_principal;
    case KRB5KDC_ERR_CLIENT_REVOKED: return KerberosPasswordOutcome::revoked;
    case KRB5KDC_ERR_KEY_EXP: return KerberosPasswordOutcome::password_expired;
    case KRB5KRB_AP_ERR_SKEW: return KerberosPasswordOutcome::clock_skew;
    case KRB5_CONFIG_NODEFREALM:
    case KRB5_CONFIG_BADFORMAT:
    case KRB5_CONFIG_CANTOPEN:
      return KerberosPasswordOutcome::configuration_error;
    default:
      return means_unreachable(code) ? KerberosPasswordOutcome::kdc_unreachable : KerberosPasswordOutcome::refused;
  }
}

KerberosPasswordOutcome outcome_of_verification(std::int32_t code) {
  if (code == 0) return KerberosPasswordOutcome::accepted;
  if (code == KRB5KRB_AP_ERR_SKEW) return KerberosPasswordOutcome::clock_skew;
  if (means_unreachable(code)) return KerberosPasswordOutcome::kdc_unreachable;
  // Everything else is ours: the keytab is missing or unreadable, lacks the
  // principal, holds an old key (BADKEYVER, BAD_INTEGRITY, MODIFIED), or the SPN is
  // not registered; a ticket from a spoofed KDC fails the same way.
  return KerberosPasswordOutcome::configuration_error;
}

namespace {

struct Exchange {
  const KerberosPasswordCheckOptions& options;
  std::string account_name;
  KerberosPasswordResult result;

  KerberosPasswordResult& finish(KerberosPasswordOutcome outcome, std::string detail) {
    result.outcome = outcome;
    result.detail = std::move(detail);
    return result;
  }
};

struct InitCredsOptions {
  krb5_context context;
  krb5_get_init_creds_opt* options = nullptr;
  ~InitCredsOptions() {
    if (options != nullptr) krb5_get_init_creds_opt_free(context, options);
  }
};

struct InitCreds {
  krb5_context context;
  krb5_init_creds_context creds = nullptr;
  ~InitCreds() {
    if (creds != nullptr) krb5_init_creds_free(context, creds);
  }
};

struct OwnedCreds {
  krb5_context context;
  krb5_creds creds{};
  bool filled = false;
  ~OwnedCreds() {
    if (filled) krb5_free_cred_contents(context, &creds);
  }
};

// The service principals to verify with: the configured one, or each principal of the
// keytab with two or more components (smtp/host, not the account's own name).
krb5_error_code verification_principals(krb5_context ctx, krb5_keytab keytab, const std::string& configured,
                                        std::vector<std::string>* out) {
  if (!configured.empty()) {
    out->push_back(configured);
    return 0;
  }
  std::vector<std::string> all;
  krb5_error_code rc = directory::keytab_principal_names(ctx, keytab, &all);
  if (rc != 0) return rc;
  for (const std::string& name : all) {
    Krb5Principal parsed{ctx};
    if (krb5_parse_name(ctx, name.c_str(), &parsed.principal) == 0 && parsed.principal->length >= 2)
      out->push_back(name);
  }
  return 0;
}

KerberosPasswordResult& verify(Exchange& exchange, krb5_context ctx, krb5_creds& creds) {
  const auto& options = exchange.options;
  const std::string& keytab_path = options.keytab;
  if (keytab_path.empty())
    return exchange.finish(KerberosPasswordOutcome::configuration_error,
                           "no service keytab configured (auth.keytab) to verify the KDC's answer with");
  Krb5Keytab keytab{ctx};
  krb5_error_code rc = krb5_kt_resolve(ctx, directory::keytab_name_for(keytab_path).c_str(), &keytab.keytab);
  std::vector<std::string> servers;
  if (rc == 0) rc = verification_principals(ctx, keytab.keytab, options.verify_principal, &servers);
  if (rc != 0)
    return exchange.finish(KerberosPasswordOutcome::configuration_error,
                           "cannot read the service keytab " + keytab_path + ": " + krb5_error_text(ctx, rc));
  if (servers.empty())
    return exchange.finish(KerberosPasswordOutcome::configuration_error,
                           "the service keytab " + keytab_path +
                               " holds no service principal (name/host@REALM); add one or set auth.verify_principal");

  krb5_verify_init_creds_opt verify_options;
  krb5_verify_init_creds_opt_init(&verify_options);
  // Without this, MIT skips verification (and says "yes") when the keytab lacks the key.
  krb5_verify_init_creds_opt_set_ap_req_nofail(&verify_options, 1);
  std::string failures;
  for (const std::string& server_name : servers) {
    Krb5Principal server{ctx};
    rc = krb5_parse_name(ctx, server_name.c_str(), &server.principal);
    if (rc == 0) rc = krb5_verify_init_creds(ctx, &creds, server.principal, keytab.keytab, nullptr, &verify_options);
    if (rc == 0) return exchange.finish(KerberosPasswordOutcome::accepted, "verified with " + server_name);
    KerberosPasswordOutcome outcome = outcome_of_verification(rc);
    std::string message = krb5_error_text(ctx, rc);
    if (outcome != KerberosPasswordOutcome::configuration_error)
      return exchange.finish(outcome, "verifying with " + server_name + ": " + message);
    if (!failures.empty()) failures += "; ";
    failures += server_name + ": " + message;
  }
  return exchange.finish(KerberosPasswordOutcome::configuration_error,
                         "the KDC's ticket could not be verified with the service keytab " + keytab_path + " (" +
                             failures +
                             "): the principal is missing from the keytab, the keytab's key is older than the "
                             "directory's, or the KDC is not genuine; see dirmailctl kerberos check");
}

KerberosPasswordResult run_exchange(const KerberosPasswordCheckOptions& options, std::string account_name,
                                    const std::string& password) {
  Exchange exchange{options, std::move(account_name), {}};
  Krb5Context context;
  krb5_error_code rc = krb5_init_context(&context.context);
  if (rc != 0)
    return exchange.finish(KerberosPasswordOutcome::configuration_error,
                           "cannot read the Kerberos configuration (KRB5_CONFIG), error " + std::to_string(rc));
  krb5_context ctx = context.context;

  std::string realm = options.realm;
  if (realm.empty()) {
    char* default_realm = nullptr;
    rc = krb5_get_default_realm(ctx, &default_realm);
    if (rc != 0)
      return exchange.finish(KerberosPasswordOutcome::configuration_error,
                             "no realm configured and no default_realm in krb5.conf: " + krb5_error_text(ctx, rc));
    realm = default_realm;
    krb5_free_default_realm(ctx, default_realm);
  }
  // One component built from the name as it is: "a/b" or "a@X" cannot become
  // another principal or realm.
  Krb5Principal client{ctx};
  rc = krb5_build_principal(ctx, &client.principal, static_cast<unsigned int>(realm.size()), realm.c_str(),
                            exchange.account_name.c_str(), static_cast<char*>(nullptr));
  if (rc != 0)
    return exchange.finish(KerberosPasswordOutcome::configuration_error,
                           "cannot make a principal in realm " + realm + ": " + krb5_error_text(ctx, rc));
  exchange.result.principal = principal_text(ctx, client.principal);

  InitCredsOptions creds_options{ctx};
  rc = krb5_get_init_creds_opt_alloc(ctx, &creds_options.options);
  if (rc != 0) return exchange.finish(KerberosPasswordOutcome::refused, krb5_error_text(ctx, rc));
  // A short-lived, plain ticket: it is thrown away after the check.
  krb5_get_init_creds_opt_set_tkt_life(creds_options.options, 300);
  krb5_get_init_creds_opt_set_forwardable(creds_options.options, 0);
  krb5_get_init_creds_opt_set_proxiable(creds_options.options, 0);
  krb5_get_init_creds_opt_set_address_list(creds_options.options, nullptr);

  InitCreds init{ctx};
  rc = krb5_init_creds_init(ctx, client.principal, nullptr, nullptr, 0, creds_options.options, &init.creds);
  if (rc == 0) rc = krb5_init_creds_set_password(ctx, init.creds, password.c_str());
  if (rc == 0) rc = krb5_init_creds_get(ctx, init.creds);
  if (rc != 0) return exchange.finish(outcome_of_as_exchange(rc), krb5_error_text(ctx, rc));

  OwnedCreds creds{ctx};
  rc = krb5_init_creds_get_creds(ctx, init.creds, &creds.creds);
  if (rc != 0) return exchange.finish(KerberosPasswordOutcome::refused, krb5_error_text(ctx, rc));
  creds.filled = true;
  return verify(exchange, ctx, creds.creds);
}

// The exchange's result, handed from its thread to the waiting caller (or to nobody,
// when the caller gave up).
struct PendingExchange {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  KerberosPasswordResult result;
};

// What AD allows in a sAMAccountName (no " / \\ [ ] : ; | = , + * ? < > @, no control
// characters). Samba's KDC would read "alice@REALM" given as one component as a UPN:
// such a name must not reach it.
bool is_account_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
    if (std::string_view("\"/\\[]:;|=,+*?<>@").find(static_cast<char>(c)) != std::string_view::npos) return false;
  }
  return true;
}

void log_server_fault(const KerberosPasswordResult& result) {
  if (result.outcome == KerberosPasswordOutcome::clock_skew) {
    log::LogLine(log::service("auth"), log::Record::auth)
        .with("principal", result.principal)
        .with("reason", to_string(result.outcome))
        .with("detail", result.detail)
        .error("Kerberos password check failed: this server's clock differs from the KDC's by more than the "
               "allowed skew; every Kerberos login fails until the clock is synchronised (NTP)");
  } else if (result.outcome == KerberosPasswordOutcome::configuration_error) {
    log::LogLine(log::service("auth"), log::Record::auth)
        .with("principal", result.principal)
        .with("reason", to_string(result.outcome))
        .with("detail", result.detail)
        .error("Kerberos password check failed: configuration error");
  }
}

}  // namespace

KerberosPasswordResult KerberosPasswordCheck::check(std::string_view account_name, std::string_view password) const {
  auto started = Clock::now();
  auto elapsed = [&] { return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started); };
  KerberosPasswordResult refusal;
  if (password.empty() || password.find('\0') != std::string_view::npos) {
    refusal.outcome = password.empty() ? KerberosPasswordOutcome::empty_password : KerberosPasswordOutcome::bad_password;
    refusal.detail = password.empty() ? "empty password refused without asking the KDC"
                                      : "password with a NUL refused without asking the KDC";
    return refusal;
  }
  if (!is_account_name(account_name)) {
    refusal.outcome = KerberosPasswordOutcome::unknown_principal;
    refusal.detail = "not a valid sAMAccountName: refused without asking the KDC";
    return refusal;
  }

  if (options_.timeout.count() <= 0) {
    auto result = run_exchange(options_, std::string(account_name), std::string(password));
    result.elapsed = elapsed();
    log_server_fault(result);
    return result;
  }

  auto pending = std::make_shared<PendingExchange>();
  try {
    std::thread([pending, options = options_, name = std::string(account_name),
                 secret = std::string(password)]() mutable {
      auto result = run_exchange(options, std::move(name), secret);
      explicit_bzero(secret.data(), secret.size());
      std::lock_guard lock(pending->mu);
      pending->result = std::move(result);
      pending->done = true;
      pending->cv.notify_all();
    }).detach();
  } catch (const std::system_error& error) {
    refusal.outcome = KerberosPasswordOutcome::kdc_unreachable;
    refusal.detail = std::string("cannot start the Kerberos exchange: ") + error.what();
    return refusal;
  }

  std::unique_lock lock(pending->mu);
  if (!pending->cv.wait_for(lock, options_.timeout, [&] { return pending->done; })) {
    refusal.outcome = KerberosPasswordOutcome::kdc_unreachable;
    refusal.principal = std::string(account_name) + (options_.realm.empty() ? "" : "@" + options_.realm);
    refusal.detail = "no answer from the KDC within " + std::to_string(options_.timeout.count()) + " ms";
    refusal.elapsed = elapsed();
    return refusal;
  }
  KerberosPasswordResult result = std::move(pending->result);
  lock.unlock();
  result.elapsed = elapsed();
  log_server_fault(result);
  return result;
}

}  // namespace dirmail::auth
