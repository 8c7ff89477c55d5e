*** Settings ***
Documentation     The README tour as a test engineer's Robot suite would drive it: sign on,
...               research, page and clear, with Mainframe3270's standard `Wait Field Detected`
...               after every key.  Run by tests/test_x3270_family.py against an idrs-sim
...               TN3270 server; by hand: `idrs-sim serve --port 3270 &` then
...               `robot --variable PORT:3270 tests/robot/idrs_tour.robot`.
Library           Mainframe3270    visible=${False}    timeout=10s    wait_time=0s    run_on_failure_keyword=None
Suite Setup       Open Connection    127.0.0.1    port=${PORT}
Suite Teardown    Close All Connections

*** Variables ***
${PORT}           3270
${EMPLOYEE}       1485012345
${PASSWORD}       train123
${TIN}            400-00-1001

*** Test Cases ***
Sign On
    Wait Field Detected
    Page Should Contain String    EMPLOYEE NUMBER>
    Write Bare    ${EMPLOYEE}
    Move Next Field
    Write Bare    ${PASSWORD}
    Send Enter
    Wait Field Detected
    Page Should Contain String    SIGN-ON COMPLETED

Research An Account
    Execute Command    Clear
    Wait Field Detected
    Write    ENMOD ${TIN}
    Wait Field Detected
    Page Should Contain String    JOHN A SMITH
    Execute Command    Clear
    Wait Field Detected
    Write    TXMODA ${TIN} 30 202312
    Wait Field Detected
    Page Should Contain String    PAGE>001/002

Page Forward And Back
    Send PF    8
    Wait Field Detected
    Page Should Contain String    PAGE>002/002
    Page Should Contain String    CONTROL BASE AND HISTORY
    Send PF    7
    Wait Field Detected
    Page Should Contain String    PAGE>001/002

Clear And Sign Off
    Execute Command    Clear
    Wait Field Detected
    Page Should Not Contain String    TXMODA
    Write    SINOF
    Wait Field Detected
    Page Should Contain String    SIGN-OFF COMPLETED
