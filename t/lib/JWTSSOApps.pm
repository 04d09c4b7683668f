# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
package JWTSSOApps;

# Helpers for the tests of the example sites in conf/examples/
# (t/88-apps-*.t). Each test runs an example as it is in the file, only
# host names, ports and paths replaced, in its own httpd (JWTSSOTest's
# httpd_start), with the modules the example's "a2enmod" line names.
#
#   example_text($file)          conf/examples/$file
#   example_block($text)         its <VirtualHost> ... </VirtualHost>
#   example_modules($text)       the modules to load: Debian's defaults, the
#       example's "a2enmod" line (cgid as cgi under prefork) and what each
#       needs ("# Depends:" of its .load), without auth_jwtsso (loaded by
#       httpd_start) and the MPM
#   substitute(\$text, [qr/.../, $to], ...)  every replacement must match:
#       the list of patterns that did not (a changed example fails)
#   example_site($file, %o) -> {text, tmp, port, base, secret_file}: the
#       example with the common replacements done (the vhost's port, the
#       site's name, the certificate, the secret file) and %o{subst} ones,
#       a fresh TLS certificate and the secret in a temporary directory
#       ($o{subst}: a sub given that directory, returning more [qr, $to]);
#       {missing} lists the replacements that did not match
#   app_port($i)                 a port for the test's own server $i (1 or 2):
#       Apache::Test's port + 7 + $i when free (above its virtual hosts, so a
#       run on -port P stays in P..P+9), else any free one
#   tls_ua()                     ua() that takes the test certificate
#   idp_login($ua, $base, $path, \%claims) -> (\@responses, $token): what a
#       browser and the IdP do: GET the page (302 to the IdP), the IdP sends
#       the browser to return_to with jwt=<a jsonwebtoken token for the
#       claims> appended (302 to the page), then the page
#   jwtsso_warnings($log_text)   the lines of an error_log at warn or above
#                                from mod_auth_jwtsso
#   dbd_driver($name)            the APR DBD driver's .so, or undef

use strict;
use warnings;

use Exporter 'import';
use File::Spec ();
use File::Temp ();
use URI ();
use URI::Escape ();
use JWTSSOTest;

our @EXPORT = qw(app_port example_text example_block example_modules substitute example_site
                 tls_ua idp_login jwtsso_warnings dbd_driver at_end);

# What Debian's apache2 package enables on install.
my @DEBIAN_DEFAULT = qw(access_compat alias auth_basic authn_core authn_file
    authz_core authz_host authz_user autoindex deflate dir env filter mime
    negotiation reqtimeout setenvif status);

sub example_text {
    my $file = shift;
    return slurp(File::Spec->catfile(top_dir(), 'conf', 'examples', $file));
}

sub example_block {
    my $text = shift;
    my ($block) = $text =~ /^(<VirtualHost .*?^<\/VirtualHost>\n)/ms;
    return $block;
}

# "# Depends: a b" of a module's .load file: Debian's, else ours
sub _depends {
    my $m = shift;
    my @files = ("/etc/apache2/mods-available/$m.load");
    push @files, File::Spec->catfile(top_dir(), 'conf', 'auth_jwtsso.load.in') if $m eq 'auth_jwtsso';
    for my $f (@files) {
        next unless -r $f;
        my ($d) = slurp($f) =~ /^# Depends:\s*(.*)$/m;
        return split ' ', ($d // '');
    }
    my %known = (proxy_http => 'proxy', proxy_fcgi => 'proxy', session_dbd => 'session',
                 session_cookie => 'session');
    return $known{$m} ? ($known{$m}) : ();
}

sub example_modules {
    my $text = shift;
    my ($line) = $text =~ /^#\s+a2enmod ([a-z0-9_ ]+?)\s*(?:\(|$)/m;
    die "the example has no '#   a2enmod ...' line\n" unless $line;
    my (%seen, @mods);
    my $add;
    $add = sub {        # what a module needs is loaded before it
        my $m = shift;
        $m = 'cgi' if $m eq 'cgid' && mpm() eq 'prefork';
        return if $seen{$m}++;
        $add->($_) for _depends($m);
        push @mods, $m unless $m eq 'auth_jwtsso';
    };
    $add->($_) for split ' ', $line;
    undef $add;
    return ((grep { !$seen{$_}++ } @DEBIAN_DEFAULT), @mods);
}

sub substitute {
    my ($text, @subst) = @_;
    my @missing;
    for my $s (@subst) {
        push @missing, "$s->[0]" unless $$text =~ s/$s->[0]/$s->[1]/g;
    }
    return @missing;
}

sub app_port {
    my $i = shift;
    require IO::Socket::INET;
    my $main = eval { Apache::Test::config()->{vars}->{port} };
    if ($main && $main =~ /^\d+$/) {
        my $p = $main + 7 + $i;
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $p, Listen => 1, ReuseAddr => 1);
        if ($s) { close $s; return $p }
    }
    return free_port();
}

sub _tls_cert {
    my $dir = shift;
    my ($rc, $out) = JWTSSOTest::_run_capture('openssl', 'req', '-x509', '-newkey', 'ec',
        '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', "$dir/site.key", '-out', "$dir/site.pem");
    die "openssl req failed: $out" if $rc;
    chmod 0600, "$dir/site.key";
}

sub example_site {
    my ($file, %o) = @_;
    my $text = example_text($file);
    my $port = app_port(1);
    my $base = "https://127.0.0.1:$port";
    my $tmp = File::Temp::tempdir("jwtsso-apps-XXXXXX", TMPDIR => 1, CLEANUP => !$ENV{JWTSSO_KEEP_TMP});
    _tls_cert($tmp);
    my $secret_file = write_in($tmp, 'jwtsso.secret', secret('main') . "\n");
    chmod 0600, $secret_file;
    my @missing = substitute(\$text,
        [qr{^<VirtualHost \*:443>$}m, "<VirtualHost *:$port>"],
        [qr{https://app\.example\.com}, $base],
        [qr{\bServerName app\.example\.com$}m, "ServerName 127.0.0.1:$port"],
        [qr{/etc/ssl/certs/app\.example\.com\.pem}, "$tmp/site.pem"],
        [qr{/etc/ssl/private/app\.example\.com\.key}, "$tmp/site.key"],
        [qr{file:/etc/apache2/jwtsso\.secret}, "file:$secret_file"],
        $o{subst} ? $o{subst}->($tmp) : ());
    return { text => $text, tmp => $tmp, port => $port, base => $base,
             secret_file => $secret_file, missing => \@missing };
}

sub tls_ua {
    return ua(ssl_opts => { verify_hostname => 0, SSL_verify_mode => 0 }, @_);
}

my $SERIAL = 0;

sub idp_login {
    my ($ua, $base, $path, $claims) = @_;
    my @res;
    my $first = $ua->get("$base$path");
    push @res, $first;
    my $loc = $first->header('Location') // '';
    my $ret = $first->code == 302 ? query_params($loc)->{return_to} : undef;
    return (\@res, undef) unless defined $ret;
    my $token = node_token(secret('main'),
                           { jti => sprintf('apps-%d-%d-%d', $$, time, ++$SERIAL), %$claims },
                           { algorithm => 'HS256', expiresIn => '1h' });
    my $back = $ua->get($ret . ($ret =~ /\?/ ? '&' : '?') . 'jwt=' . URI::Escape::uri_escape($token));
    push @res, $back;
    if ($back->code == 302) {
        push @res, $ua->get(URI->new_abs($back->header('Location'), "$base$path")->as_string);
    }
    return (\@res, $token);
}

# What a test started (its httpd, its php-fpm), ended when it exits, also
# after a die, but not in a child it forked (an upstream, a php-fpm).
my (@at_end, $parent);
sub at_end { $parent //= $$; push @at_end, @_ }
END {
    if (defined $parent && $$ == $parent) {
        local $?;
        $_->() for @at_end;
    }
}

sub jwtsso_warnings {
    my $text = shift // '';
    return grep { /\[auth_jwtsso:(?:warn|error|crit|alert|emerg)\]/ } split /\n/, $text;
}

sub dbd_driver {
    my $name = shift;
    for my $dir (glob('/usr/lib/*/apr-util-1'), '/usr/lib/apr-util-1', '/usr/lib64/apr-util-1') {
        my @so = glob("$dir/apr_dbd_$name*.so");
        return $so[0] if @so;
    }
    return undef;
}

1;
