#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# Demo application behind mod_auth_jwtsso: greets REMOTE_USER and shows
# what the module passed on (JWTSSO_CLAIM_* and JWTSSO_CLAIMS).
use strict;
use warnings;

sub esc {
    my $s = shift // '';
    $s =~ s/&/&amp;/g; $s =~ s/</&lt;/g; $s =~ s/>/&gt;/g; $s =~ s/"/&quot;/g; $s =~ s/'/&#39;/g;
    return $s;
}

my $user = $ENV{REMOTE_USER} // '';
my $rows = join '', map { '<tr><th>' . esc($_) . '</th><td><code>' . esc($ENV{$_}) . "</code></td></tr>\n" }
                    grep { /^JWTSSO_/ } sort keys %ENV;
$rows ||= "<tr><td colspan=2><em>no JWTSSO_* variables</em></td></tr>\n";
my $who = length $user ? 'Hello, ' . esc($user) . '!' : 'Hello, anonymous!';

print "Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n";
print <<"HTML";
<!doctype html>
<html><head><meta charset="utf-8"><title>mod_auth_jwtsso demo</title>
<style>body{font-family:sans-serif;max-width:50em;margin:3em auto}
th{text-align:left;padding-right:1em}td code{word-break:break-all}</style></head>
<body>
<h1>$who</h1>
<p>REMOTE_USER = <code>@{[ esc($user) ]}</code>, AUTH_TYPE = <code>@{[ esc($ENV{AUTH_TYPE}) ]}</code></p>
<h2>What mod_auth_jwtsso passed to this app</h2>
<table>
$rows</table>
<p>The login lives in the <code>demo_session</code> cookie (mod_session_cookie).</p>
</body></html>
HTML
