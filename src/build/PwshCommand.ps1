# Get-PwshCommand: the program and leading arguments that start, in a new process, the same PowerShell as the one
# running this, so that child sessions use the same version (the tool manifest's, under `dotnet pwsh`). Dot-source this
# file, then: $pwsh = Get-PwshCommand; & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -File ...
# Used by build.ps1, src/ApiKeyModule/help/Build-Help.ps1 and tests/Pester/TestHelpers.

function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    $name = [IO.Path]::GetFileNameWithoutExtension($process)
    # `dotnet pwsh` (the tool manifest's PowerShell) runs pwsh.dll in the dotnet host.
    if ($name -eq 'dotnet') { return , @($process, (Join-Path $PSHOME 'pwsh.dll')) }
    if ($name -eq 'pwsh') { return , @($process) }
    # Another host (an editor's, or an application's) runs this PowerShell: start its pwsh from PSHOME.
    foreach ($candidate in 'pwsh.exe', 'pwsh') {
        $exe = Join-Path $PSHOME $candidate
        if (Test-Path -LiteralPath $exe -PathType Leaf) { return , @($exe) }
    }
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if (Test-Path -LiteralPath $dll) { return , @('dotnet', $dll) }
    , @('pwsh')
}
