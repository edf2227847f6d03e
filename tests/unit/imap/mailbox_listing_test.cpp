// LIST and LSUB answers (RFC 3501, RFC 5258 LIST-EXTENDED, RFC 3348 CHILDREN, RFC
// 6154 SPECIAL-USE) over a fixed set of folders and subscriptions.
#include "dirmail/imap/mailbox_listing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dirmail::imap {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::vector<std::string> folders{"INBOX",  "Archive", "Archive/2024", "Drafts", "Entw\xc3\xbcrfe",
                                       "Junk",   "Sent",    "Trash",        "a/b/c",  "x y"};

std::vector<std::string> run(std::vector<std::string> patterns, ListOptions options = {},
                             std::vector<std::string> subscriptions = {}, std::string reference = "",
                             bool lsub = false) {
  ListRequest request{lsub, reference, patterns, options};
  return list_mailboxes(request, folders, subscriptions);
}

TEST(MailboxListing, StarListsEveryFolderWithItsAttributes) {
  EXPECT_THAT(run({"*"}), ElementsAre("* LIST (\\HasNoChildren) \"/\" INBOX",
                                      "* LIST (\\HasChildren) \"/\" Archive",
                                      "* LIST (\\HasNoChildren) \"/\" Archive/2024",
                                      "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts",
                                      "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe",
                                      "* LIST (\\HasNoChildren \\Junk) \"/\" Junk",
                                      "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                                      "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
                                      "* LIST (\\HasNoChildren) \"/\" a/b/c",
                                      "* LIST (\\HasNoChildren) \"/\" \"x y\""));
}

TEST(MailboxListing, PercentStopsAtALevelAndShowsImpliedParents) {
  auto top = run({"%"});
  EXPECT_EQ(top.size(), 9u);
  EXPECT_EQ(top.at(7), "* LIST (\\Noselect \\HasChildren) \"/\" a");
  EXPECT_THAT(run({"a/%"}), ElementsAre("* LIST (\\Noselect \\HasChildren) \"/\" a/b"));
  EXPECT_THAT(run({"a/b/%"}), ElementsAre("* LIST (\\HasNoChildren) \"/\" a/b/c"));
  EXPECT_THAT(run({"%"}, {}, {}, "Archive/"), ElementsAre("* LIST (\\HasNoChildren) \"/\" Archive/2024"));
  // With the extended syntax a missing parent is \NonExistent (RFC 5258 §3).
  ListOptions extended;
  extended.extended = true;
  EXPECT_THAT(run({"a/%"}, extended), ElementsAre("* LIST (\\NonExistent \\HasChildren) \"/\" a/b"));
}

TEST(MailboxListing, EmptyPatternGivesTheDelimiter) {
  EXPECT_THAT(run({""}), ElementsAre("* LIST (\\Noselect) \"/\" \"\""));
  EXPECT_THAT(run({""}, {}, {}, "", true), IsEmpty());
}

TEST(MailboxListing, InboxMatchesInAnyCaseAndPatternsAreWireForm) {
  EXPECT_THAT(run({"inbox"}), ElementsAre("* LIST (\\HasNoChildren) \"/\" INBOX"));
  EXPECT_THAT(run({"Entw&APw-*"}), ElementsAre("* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe"));
  EXPECT_THAT(run({"Sent", "Trash"}), ElementsAre("* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                                                 "* LIST (\\HasNoChildren \\Trash) \"/\" Trash"));
  EXPECT_THAT(run({"Nothing*"}), IsEmpty());
}

TEST(MailboxListing, SpecialUseSelection) {
  ListOptions o;
  o.extended = o.select_special_use = true;
  EXPECT_THAT(run({"*"}, o), ElementsAre("* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts",
                                         "* LIST (\\HasNoChildren \\Junk) \"/\" Junk",
                                         "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                                         "* LIST (\\HasNoChildren \\Trash) \"/\" Trash"));
}

TEST(MailboxListing, SubscribedSelectionAndReturnOption) {
  ListOptions selected;
  selected.extended = selected.select_subscribed = true;
  EXPECT_THAT(run({"*"}, selected, {"Sent", "Gone"}),
              ElementsAre("* LIST (\\Subscribed \\HasNoChildren) \"/\" INBOX",
                          "* LIST (\\NonExistent \\Subscribed) \"/\" Gone",
                          "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent"));
  ListOptions returned;
  returned.extended = returned.return_subscribed = true;
  auto all = run({"S%"}, returned, {"Sent"});
  EXPECT_THAT(all, ElementsAre("* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent"));
}

TEST(MailboxListing, RecursiveMatchGivesChildInfo) {
  ListOptions o;
  o.extended = o.select_subscribed = o.recursive_match = true;
  EXPECT_THAT(run({"%"}, o, {"Archive/2024", "Sent"}),
              ElementsAre("* LIST (\\Subscribed \\HasNoChildren) \"/\" INBOX",
                          "* LIST (\\HasChildren) \"/\" Archive (\"CHILDINFO\" (\"SUBSCRIBED\"))",
                          "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent"));
  // Without RECURSIVEMATCH the unsubscribed parent is not listed.
  o.recursive_match = false;
  EXPECT_EQ(run({"%"}, o, {"Archive/2024"}).size(), 1u);
}

TEST(MailboxListing, LsubListsSubscriptionsAndNoselectParents) {
  EXPECT_THAT(run({"*"}, {}, {"Archive/2024", "Sent", "Gone"}, "", true),
              ElementsAre("* LSUB () \"/\" INBOX", "* LSUB () \"/\" Archive/2024", "* LSUB () \"/\" Gone",
                          "* LSUB () \"/\" Sent"));
  EXPECT_THAT(run({"%"}, {}, {"Archive/2024", "Sent"}, "", true),
              ElementsAre("* LSUB () \"/\" INBOX", "* LSUB (\\Noselect) \"/\" Archive", "* LSUB () \"/\" Sent"));
}

}  // namespace
}  // namespace dirmail::imap
