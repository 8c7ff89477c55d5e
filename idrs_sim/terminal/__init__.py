"""The 3270 model: screen buffer, fields, cursor, keyboard and AID keys; the screen maps
(`screenmap`) and the host session of one terminal (`session`: sign-on, dispatch, paging,
audit), the "screens" layer of docs/architecture.md."""
