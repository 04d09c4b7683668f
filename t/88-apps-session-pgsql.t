# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# conf/examples/session-dbd-pgsql.conf, the README's PostgreSQL example,
# as it is (only the port, the site's name, the certificate, the secret and
# the scripts' directory replaced), with the modules its "a2enmod" line
# names and PostgreSQL's DBD driver (no PostgreSQL server needed):
#   1. the example has every line the test replaces, and its
#      <VirtualHost> is in the README's "The example sites" word for word
#   2. `apache2 -t` passes: mod_dbd loads the pgsql driver while reading
#      the configuration (control: a driver that does not exist fails)
#   3. a real start (and stop): no warning or error of mod_auth_jwtsso
#      (mod_session_dbd is a session store it knows)
# Skips only without PostgreSQL's DBD driver (Debian:
# libaprutil1-dbd-pgsql).

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JWTSSOApps;

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
plan skip_all => "PostgreSQL's APR DBD driver not installed (Debian: apt-get install libaprutil1-dbd-pgsql)"
    unless dbd_driver('pgsql');

plan tests => 10;

# ---------------------------------------------------------------- 1. the example
my $site = example_site('session-dbd-pgsql.conf', subst => sub { [qr{/var/www/app/cgi-bin}, "$_[0]/cgi-bin"] });
mkdir "$site->{tmp}/cgi-bin" or die "$site->{tmp}/cgi-bin: $!";
is_deeply $site->{missing}, [], '1: every line the test replaces is in the example';
like $site->{text}, qr{^\s*DBDriver pgsql$}m, '1: it uses the pgsql driver';

my $readme = slurp(File::Spec->catfile(top_dir(), 'README.md'));
my ($section) = $readme =~ /^### The example sites \(`conf\/examples\/`\)\n(.*?)^##/ms;
my @blocks = ($section // '') =~ /^```apache\n(.*?)^```\n/msg;
my $block = example_block(example_text('session-dbd-pgsql.conf')) // 'none';
ok scalar(grep { $_ eq $block } @blocks), "1: the README's PostgreSQL example is the file's <VirtualHost>, word for word";

# ---------------------------------------------------------------- 2. apache2 -t
my @mods = (mpm(), example_modules($site->{text}));
$mods[0] = 'mpm_' . $mods[0];
ok scalar(grep { $_ eq 'session_dbd' } @mods) && scalar(grep { $_ eq 'dbd' } @mods), '2: a2enmod names dbd and session_dbd';
my ($rc, $out) = httpd_configtest($site->{text}, modules => \@mods, port => $site->{port});
is $rc, 0, '2: apache2 -t passes with the pgsql driver' or diag $out;
like $out, qr/Syntax OK/, '2: Syntax OK';
(my $nodriver = $site->{text}) =~ s/^(\s*)DBDriver pgsql$/$1DBDriver nosuchdriver/m;
($rc, my $bad) = httpd_configtest($nodriver, modules => \@mods, port => $site->{port});
ok $rc != 0 && $bad =~ /driver.*nosuchdriver/, '2: control: with a driver that does not exist it fails'
    or diag $bad;

# ---------------------------------------------------------------- 3. start-up
($rc, $out) = httpd_configtest($site->{text}, modules => \@mods, port => $site->{port}, start => 1);
is $rc, 0, '3: the server starts and stops' or diag $out;
like $out, qr/resuming normal operations/, '3: it ran' or diag $out;
is_deeply [jwtsso_warnings($out)], [], '3: no warning or error of mod_auth_jwtsso';
