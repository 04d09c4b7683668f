#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# Test application behind mod_auth_jwtsso: echoes, one "NAME=value" per line,
# what the module hands to the app. Lines always present (empty when unset):
# REMOTE_USER, AUTH_TYPE, QUERY_STRING, REQUEST_URI, REQUEST_METHOD,
# PATH_INFO; then
# every JWTSSO_* variable and every HTTP_* variable whose name contains
# JWTSSO (any case), sorted by name. Newlines in values are shown as \n.
use strict;
use warnings;

sub show { my $v = shift; $v = '' unless defined $v; $v =~ s/\\/\\\\/g; $v =~ s/\n/\\n/g; $v =~ s/\r/\\r/g; $v }

print "Content-Type: text/plain; charset=utf-8\r\n";
print "Cache-Control: no-store\r\n\r\n";
for my $name (qw(REMOTE_USER AUTH_TYPE QUERY_STRING REQUEST_URI REQUEST_METHOD PATH_INFO)) {
    print "$name=", show($ENV{$name}), "\n";
}
for my $name (sort keys %ENV) {
    next unless $name =~ /^JWTSSO_/ or ($name =~ /^HTTP_/ and $name =~ /jwtsso/i);
    print "$name=", show($ENV{$name}), "\n";
}
