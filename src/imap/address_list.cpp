#include "dirmail/imap/address_list.hpp"

namespace dirmail::imap {
namespace {

struct Token {
  enum class Kind { word, quoted, comment, special, domain_literal };
  Kind kind = Kind::word;
  std::string text;  // quoted and comment: unescaped content; special: the character
  bool is(char c) const { return kind == Kind::special && text.size() == 1 && text[0] == c; }
};

bool special(char c) {
  switch (c) {
    case '(': case ')': case '<': case '>': case '[': case ']': case ':': case ';': case '@': case ',': case '"':
      return true;
    default:
      return false;
  }
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '"') {
      Token t{Token::Kind::quoted, {}};
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        if (s[i] != '\r' && s[i] != '\n') t.text.push_back(s[i]);
      }
      ++i;
      out.push_back(std::move(t));
    } else if (c == '(') {
      Token t{Token::Kind::comment, {}};
      std::size_t depth = 0;
      for (; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          t.text.push_back(s[++i]);
          continue;
        }
        if (s[i] == '(') {
          if (++depth > 1 && depth <= max_comment_depth) t.text.push_back('(');
        } else if (s[i] == ')') {
          if (--depth == 0) break;
          t.text.push_back(')');
        } else if (s[i] != '\r' && s[i] != '\n') {
          t.text.push_back(s[i]);
        }
      }
      ++i;
      out.push_back(std::move(t));
    } else if (c == '[') {
      Token t{Token::Kind::domain_literal, "["};
      for (++i; i < s.size() && s[i] != ']'; ++i) t.text.push_back(s[i]);
      t.text.push_back(']');
      ++i;
      out.push_back(std::move(t));
    } else if (special(c)) {
      out.push_back({Token::Kind::special, std::string(1, c)});
      ++i;
    } else {
      Token t{Token::Kind::word, {}};
      while (i < s.size() && !special(s[i]) && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
        t.text.push_back(s[i++]);
      out.push_back(std::move(t));
    }
  }
  return out;
}

class AddressParser {
 public:
  explicit AddressParser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  std::vector<Address> parse() {
    bool in_group = false;
    while (i_ < t_.size() && out_.size() < max_addresses) {
      if (t_[i_].is(',')) {
        ++i_;
        continue;
      }
      if (t_[i_].is(';')) {
        ++i_;
        if (in_group) out_.push_back(Address{});  // group end: all NIL
        in_group = false;
        continue;
      }
      std::string phrase;
      std::string comment;
      std::size_t words = 0;
      // A phrase (display name or group name), or the start of a bare addr-spec.
      std::string local;
      while (i_ < t_.size() && !t_[i_].is('<') && !t_[i_].is(':') && !t_[i_].is('@') && !t_[i_].is(',') &&
             !t_[i_].is(';')) {
        const Token& tk = t_[i_++];
        if (tk.kind == Token::Kind::comment) {
          if (comment.empty()) comment = tk.text;
          continue;
        }
        if (tk.kind == Token::Kind::special) continue;  // stray '>' or similar
        if (words++) phrase += ' ';
        phrase += tk.text;
        local += tk.text;
      }
      if (i_ < t_.size() && t_[i_].is(':') && !in_group) {
        ++i_;
        Address group;
        group.mailbox = phrase;
        out_.push_back(std::move(group));
        in_group = true;
        continue;
      }
      Address a;
      if (i_ < t_.size() && t_[i_].is('<')) {
        ++i_;
        angle_addr(a);
        if (!phrase.empty()) a.name = phrase;
      } else if (i_ < t_.size() && t_[i_].is('@')) {
        ++i_;
        a.mailbox = local;
        a.host = domain();
      } else {
        // No phrase: at the end, or at a ':' inside a group (groups do not nest).
        // Skip that ':', or this loop would never move on.
        if (phrase.empty()) {
          if (i_ < t_.size()) ++i_;
          continue;
        }
        a.mailbox = local;  // a bare local name ("postmaster"): no domain
        a.host = "";
      }
      // A comment after the address ("a@b (Name)") names it when nothing else does.
      while (i_ < t_.size() && !t_[i_].is(',') && !t_[i_].is(';')) {
        if (t_[i_].kind == Token::Kind::comment && comment.empty()) comment = t_[i_].text;
        ++i_;
      }
      if (!a.name && !comment.empty()) a.name = comment;
      if (!a.mailbox) continue;
      out_.push_back(std::move(a));
    }
    if (in_group) out_.push_back(Address{});  // a group left open still ends
    return std::move(out_);
  }

 private:
  // After '<': [route ':'] local '@' domain '>'.
  void angle_addr(Address& a) {
    std::string route;
    while (i_ < t_.size() && t_[i_].is('@')) {  // obsolete route: @a,@b:
      ++i_;
      if (!route.empty()) route += ',';
      route += '@' + domain();
      if (i_ < t_.size() && t_[i_].is(',')) ++i_;
      if (i_ < t_.size() && t_[i_].is(':')) {
        ++i_;
        break;
      }
    }
    if (!route.empty()) a.route = route;
    std::string local;
    while (i_ < t_.size() && !t_[i_].is('@') && !t_[i_].is('>')) {
      if (t_[i_].kind == Token::Kind::word || t_[i_].kind == Token::Kind::quoted) local += t_[i_].text;
      ++i_;
    }
    if (i_ < t_.size() && t_[i_].is('@')) {
      ++i_;
      a.host = domain();
    } else {
      a.host = "";
    }
    if (i_ < t_.size() && t_[i_].is('>')) ++i_;
    a.mailbox = local;
  }

  std::string domain() {
    std::string d;
    // A comment ends the domain: "a@b (Name)" keeps "(Name)" for the display name.
    while (i_ < t_.size() && (t_[i_].kind == Token::Kind::word || t_[i_].kind == Token::Kind::domain_literal))
      d += t_[i_++].text;
    return d;
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
  std::vector<Address> out_;
};

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) { return AddressParser(tokenize(value)).parse(); }

}  // namespace dirmail::imap
