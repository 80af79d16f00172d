export { GIFT_ART, GiftArt } from './art';
