#pragma once
// One relay rule of effect.dat (smtp.relay_rules): "PATTERN" or "PATTERN ACTION", and
// the envelope sender as the sender patterns see it. The rule set, its file format and
// the relay matrices are in relay_rules.hpp; docs/relay-rules.md is the admin's view.
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/smtp/command.hpp"
#include "dirmail/smtp/ip_network.hpp"

namespace dirmail::smtp {

// The MAIL FROM of the transaction, in the three shapes effect.dat tells apart.
struct EnvelopeSender {
  enum class Form {
    // MAIL FROM with no address at all, not even <> ("MAIL FROM:"): the "#blank" token.
    // dirmail's parse_reverse_path refuses that line (501), so this only arrives if a
    // session chooses to accept it.
    blank,
    // The null reverse path <> (bounces, DSNs, MDNs): the "#<>" token.
    null_path,
    // An address. `domain` is empty for a bare account name ("#nodomain"), which
    // parse_reverse_path also refuses today.
    mailbox,
  };
  Form form = Form::null_path;
  std::string local;   // as written (a quoted local part keeps its quotes)
  std::string domain;  // lower case; empty when there is none

  static EnvelopeSender blank() { return {Form::blank, {}, {}}; }
  static EnvelopeSender null_path() { return {Form::null_path, {}, {}}; }
  static EnvelopeSender mailbox(std::string_view local, std::string_view domain);
  // What parse_reverse_path gave: <> is the null path, anything else a mailbox.
  static EnvelopeSender from_path(const Path& path);
};

// The word after the space. Each names the relay matrix a matching source gets (the
// matrices and the AUTH rules are spelled out in relay_rules.hpp).
enum class RelayAction {
  allow,                 // no word, or "true": matrix II
  deny,                  // "false": matrix III, nothing at all, AUTH or not
  default_matrix,        // "default": matrix I
  norelay,               // "norelay": matrix IV; an authenticated session may still relay
  norelay_refuse_auth,   // "norelay,0": matrix IV even for an authenticated session
  norelay_ip_over_auth,  // "norelay,2": matrix IV whatever AUTH says, and no AUTH demanded
  only,                  // "only": matrix I here, matrix V for every source no rule names
};

// The word as effect.dat writes it ("true" for allow).
std::string_view to_string(RelayAction action);
// "" (no word) is allow. Words are case-insensitive. nullopt for an unknown word.
std::optional<RelayAction> parse_relay_action(std::string_view word);

struct RelayPattern {
  enum class Kind {
    network,         // the client's IP address is in `network`
    sender_domain,   // the envelope sender's domain equals `value` (no subdomains)
    sender_address,  // the envelope sender equals `value` (local@domain)
    blank_sender,    // #blank: EnvelopeSender::Form::blank
    null_sender,     // #<>: the null path
    numeric_domain,  // #number: the domain is an address literal ([192.0.2.1], [IPv6:...])
                     //   or digits and dots (192.0.2.1)
    no_domain,       // #nodomain: an address without a domain part
    host_domain,     // #host: a single-label domain name ("pc01", "localhost"), i.e. a
                     //   host name rather than a registered domain (our reading of a
                     //   token the guide does not define)
  };
  Kind kind = Kind::network;
  IpNetwork network;  // kind network
  std::string value;  // sender_domain: the domain; sender_address: local@domain (domain lower case)

  // True for every kind but network: the envelope sender decides, and anyone can forge it.
  bool judges_sender() const { return kind != Kind::network; }
  // `client` nullopt (an address we could not parse) matches no network pattern.
  // Domains compare case-insensitively, and so do local parts (as the Windows
  // original did; a "false" rule cannot be dodged by changing case).
  bool matches(const std::optional<IpAddress>& client, const EnvelopeSender& sender) const;
};

// One pattern (the text before the space): a network (ip_network.hpp), a "#token", a
// domain or an address. `host_bits_set` as in parse_ip_network. invalid_argument with
// the reason otherwise (an unknown #token, a "*" in a domain, a bad address ...).
Result<RelayPattern> parse_relay_pattern(std::string_view text, bool& host_bits_set);

struct RelayRule {
  std::string origin;  // where it was written: "NAME:LINE" (file) or "NAME[INDEX]" (list)
  std::string text;    // the line as written, without the line break
  RelayPattern pattern;
  RelayAction action = RelayAction::allow;

  // The rule lets unauthenticated mail through to external domains for a forgeable
  // envelope sender, or for every client address: an open relay (踏み台) unless a
  // firewall stands in front. The loader adds a warning; the caller should log it.
  bool open_relay_risk() const;
};

}  // namespace dirmail::smtp
