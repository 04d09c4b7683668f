# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The per-directory configuration, read from the sources (no server): every
# field of jwtsso_dir_cfg (src/httpd/glue.h) is merged in config.c under a
# JWTSSO_SET_* bit, every bit is merged and set by some setter, no two bits
# share a value, and every directive name is in the command table (STYLE
# §3: a field missing from the merge is silently never inherited).

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Spec;
use JWTSSOTest;

my $top = top_dir();
sub src { my $t = slurp(File::Spec->catfile($top, @_)); $t =~ s{/\*.*?\*/}{}gs; $t }

my $glue = src(qw(src httpd glue.h));
my $config = src(qw(src httpd config.c));
my $setters = $config . src(qw(src httpd keyconf.c))
    . src(qw(src httpd issuerconf.c));

my ($struct) = $glue =~ /typedef struct \{([^{}]*)\}\s*jwtsso_dir_cfg;/s
    or die "no jwtsso_dir_cfg in glue.h\n";
my @fields = $struct =~ /(\w+)\s*;/g;
my %bits = $glue =~ /#define\s+(JWTSSO_SET_\w+)\s+JWTSSO_BIT\((\d+)\)/g;
my @directives = $glue =~ /#define\s+(JWTSSO_D_\w+)\s/g;
my ($merge) = $config =~ /\bjwtsso_config_merge_dir\([^)]*\)\s*\{(.*?)\n\}/s
    or die "no jwtsso_config_merge_dir in config.c\n";
my %merged = $merge =~ /MERGE\((\w+), (JWTSSO_SET_\w+)\)/g;
my ($table) = $config =~ /jwtsso_config_cmds\[\] = \{(.*?)\n\};/s
    or die "no jwtsso_config_cmds in config.c\n";

plan tests => @fields + 2 * keys(%bits) + 1 + @directives;

for my $f (@fields) {
    if ($f eq 'set_bits' || $f eq 'where' || $f eq 'short_secret') {
        like $merge, qr/n->$f = /, "$f: merged by its own rule";
    }
    else {
        ok $merged{$f}, "$f: merged under a JWTSSO_SET_* bit";
    }
}
my %merged_bits = map { $_ => 1 } values %merged;
for my $b (sort keys %bits) {
    ok $merged_bits{$b}, "$b: some field is merged under it";
    my $uses = () = $setters =~ /\b$b\b/g;
    ok $uses > ($merge =~ /\b$b\b/ ? scalar(() = $merge =~ /\b$b\b/g) : 0),
        "$b: a setter sets it";
}
my %seen;
my @dup = grep { $seen{$_}++ } values %bits;
ok !@dup, 'no two JWTSSO_SET_* bits share a value' or diag "shared: @dup";
for my $d (@directives) {
    like $table, qr/AP_INIT_\w+\(\s*$d\b/, "$d: in the command table";
}
