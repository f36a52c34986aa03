import { InboxPage } from '../../components/InboxPage';

export default function Inbox() {
  return <InboxPage />;
}
