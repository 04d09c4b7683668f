#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# t/48-session-extras.t's app: prints, one "NAME=value" per line, sorted,
# REMOTE_USER, every HTTP_* variable and every SP_* variable (set by
# SetEnvIf in t/conf/session.conf.in), so a test sees exactly which request
# headers reached it. HTTP_COOKIE is absent when no Cookie header came.
use strict;
use warnings;

sub show { my $v = shift; $v = '' unless defined $v; $v =~ s/\\/\\\\/g; $v =~ s/\n/\\n/g; $v =~ s/\r/\\r/g; $v }

print "Content-Type: text/plain; charset=utf-8\r\n";
print "Cache-Control: no-store\r\n\r\n";
print "REMOTE_USER=", show($ENV{REMOTE_USER}), "\n";
for my $name (sort keys %ENV) {
    next unless $name =~ /^(HTTP_|SP_)/;
    print "$name=", show($ENV{$name}), "\n";
}
