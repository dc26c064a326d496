# collect-fedcheck.ps1: export what fedcheck needs from the Microsoft side of a
# partitioned intradomain federation with Cisco IM and Presence.
#
# Run it in the Lync Server / Skype for Business Server Management Shell (or, on OCS
# 2007 R2, in PowerShell on a front end: it reads WMI there). It only reads.
# Works on PowerShell 2.0 (Windows Server 2008 R2) and later: no ConvertTo-Json.
#
#   .\collect-fedcheck.ps1                      writes .\fedcheck-export
#   .\collect-fedcheck.ps1 -OutDir D:\export    writes there
#
# Then, where fedcheck runs:
#   fedcheck collect microsoft --import fedcheck-export -i site.toml -o collected
#
# Every file is written with Out-File -Encoding UTF8 -Width 4096 so that no line is
# wrapped at the console width. manifest.txt lists what was written and what failed.

param(
    [string]$OutDir = (Join-Path (Get-Location).Path 'fedcheck-export')
)

$ErrorActionPreference = 'Continue'
$FormatVersion = '1'

if (-not (Test-Path -LiteralPath $OutDir)) {
    New-Item -ItemType Directory -Path $OutDir | Out-Null
}

$manifest = @()
$manifest += "Tool             : fedcheck collect-fedcheck.ps1"
$manifest += "FormatVersion    : $FormatVersion"
$manifest += "Computer         : $($env:COMPUTERNAME)"
$manifest += "Started          : $((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))"
$manifest += "PowerShell       : $($PSVersionTable.PSVersion)"

function Save-Output {
    param([string]$Name, [scriptblock]$Command)
    $path = Join-Path $OutDir $Name
    try {
        $result = & $Command
        if ($null -eq $result) {
            '' | Out-File -FilePath $path -Encoding UTF8 -Width 4096
            $script:manifest += "File             : $Name; empty"
        } else {
            $result | Format-List | Out-File -FilePath $path -Encoding UTF8 -Width 4096
            $script:manifest += "File             : $Name; ok"
        }
    } catch {
        $script:manifest += "File             : $Name; failed: $($_.Exception.Message)"
    }
}

# Lync 2010/2013 and Skype for Business ship a module; the Management Shell loads it.
foreach ($m in @('SkypeForBusiness', 'Lync')) {
    if (-not (Get-Command Get-CsStaticRoutingConfiguration -ErrorAction SilentlyContinue)) {
        Import-Module $m -ErrorAction SilentlyContinue
    }
}

if (Get-Command Get-CsStaticRoutingConfiguration -ErrorAction SilentlyContinue) {
    $manifest += "Platform         : lync-sfb"

    # One record per route, with the Identity of the collection it belongs to (a pool's
    # own collection overrides Global): expanding Route alone would lose it.
    Save-Output 'static-routes.txt' {
        Get-CsStaticRoutingConfiguration | ForEach-Object {
            $id = $_.Identity
            foreach ($r in $_.Route) {
                $r | Select-Object @{ Name = 'Identity'; Expression = { $id } }, Transport, MatchUri, MatchOnlyPhoneUri, Enabled, ReplaceHostInRequestUri
            }
        }
    }
    Save-Output 'hosting-providers.txt' { Get-CsHostingProvider }
    Save-Output 'trusted-application-pools.txt' { Get-CsTrustedApplicationPool }
    Save-Output 'trusted-applications.txt' { Get-CsTrustedApplication }
    Save-Output 'hosted-voicemail-policies.txt' { Get-CsHostedVoicemailPolicy }
    Save-Output 'sip-domains.txt' { Get-CsSipDomain }
    Save-Output 'pools.txt' { Get-CsPool }
    Save-Output 'certificates.txt' { Get-CsCertificate | Select-Object Use, Subject, AlternativeNames, Issuer, NotBefore, NotAfter, Thumbprint }
    Save-Output 'versions.txt' {
        Get-CsPool | ForEach-Object { $_.Computers } | ForEach-Object {
            $computer = $_
            try {
                Get-CsServerVersion -ErrorAction Stop | Select-Object @{ Name = 'Computer'; Expression = { $computer } }, @{ Name = 'Version'; Expression = { $_ } }
            } catch {
                New-Object PSObject -Property @{ Computer = $computer; Version = 'unknown' }
            }
        }
    }
} else {
    # OCS 2007 R2 has no Management Shell: its settings are WMI classes.
    $manifest += "Platform         : ocs2007r2"

    # Static routes, written with the field names of the Lync route records so that
    # one parser reads both. NextHopTransport is TLS or TCP.
    Save-Output 'static-routes.txt' {
        Get-WmiObject -Class MSFT_SIPRoutingTableData -ErrorAction Stop | ForEach-Object {
            if ("$($_.NextHopTransport)" -eq 'TLS') {
                $transport = "TransportChoice=Certificate=UseDefaultCert;Fqdn=$($_.NextHop);Port=$($_.NextHopPort)"
            } else {
                $transport = "TransportChoice=IPAddress=$($_.NextHop);Port=$($_.NextHopPort)"
            }
            New-Object PSObject -Property @{
                Identity                = 'OCS2007R2:MSFT_SIPRoutingTableData'
                Transport               = $transport
                MatchUri                = "$($_.MatchURI)"
                MatchOnlyPhoneUri       = $false
                Enabled                 = [bool]$_.Enabled
                ReplaceHostInRequestUri = [bool]$_.ReplaceHostInRequestURI
            } | Select-Object Identity, Transport, MatchUri, MatchOnlyPhoneUri, Enabled, ReplaceHostInRequestUri
        }
    }
    Save-Output 'ocs-host-authorizations.txt' {
        Get-WmiObject -Class MSFT_SIPRemoteAddressData -ErrorAction Stop | Select-Object FQDN, IPAddress, OutboundOnly, ThrottleAsServer, TreatAsAuthenticated
    }
    Save-Output 'ocs-domains.txt' {
        Get-WmiObject -Class MSFT_SIPDomainData -ErrorAction Stop | Select-Object Address, Authoritative, DefaultDomain
    }
}

$manifest += "Finished         : $((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))"
$manifest | Out-File -FilePath (Join-Path $OutDir 'manifest.txt') -Encoding UTF8 -Width 4096
Write-Host "fedcheck export written to $OutDir"
